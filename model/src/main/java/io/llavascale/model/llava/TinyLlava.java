package io.llavascale.model.llava;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The tiny LLaVA: vision encoder, projector, causal LM. Image patch features are projected to the
 * LM width and spliced into the token embeddings where each sample's {@code <image>} token was
 * (see {@link LlavaBatch}); text-only samples pass straight through.
 *
 * <p>Parameters are keyed by stable paths ({@code vision.*}, {@code projector.*}, {@code lm.*}),
 * created in the manager given to {@link #create}, with values drawn from the seed alone.
 */
public final class TinyLlava extends LlavaBlock {
  private static final double INIT_STD = 0.02;

  private final TinyLlavaConfig config;
  private final long seed;
  private final NDManager manager;
  private final VisionEncoder vision;
  private final Projector projector;
  private final CausalLm lm;
  private final StepClock clock = new StepClock();

  private TinyLlava(TinyLlavaConfig config, long seed, NDManager manager) {
    this.config = config;
    this.seed = seed;
    this.manager = manager;
    this.vision = addChildBlock("vision", new VisionEncoder(config));
    this.projector =
        addChildBlock("projector", new Projector(config.visionDim(), config.hidden(), INIT_STD));
    this.lm = addChildBlock("lm", new CausalLm(config, INIT_STD));
  }

  /** A model initialised from {@code seed} with every parameter frozen; see {@link #trainOnly}. */
  public static TinyLlava create(TinyLlavaConfig config, long seed, NDManager manager) {
    TinyLlava model = new TinyLlava(config, seed, manager);
    model.initializeFromSeed(seed, manager);
    model.trainOnly(path -> false);
    return model;
  }

  public TinyLlavaConfig config() {
    return config;
  }

  public long seed() {
    return seed;
  }

  /** Where the parameters live; training steps open sub-managers of it. */
  public NDManager manager() {
    return manager;
  }

  /** The training step forward passes belong to; the training loop sets it around each update. */
  public StepClock clock() {
    return clock;
  }

  /**
   * The linear layers of the decoder ({@code lm.layers.<i>.attn.q_proj}, ..., {@code
   * lm.layers.<i>.mlp.down_proj}) by path: what LoRA adapts and QLoRA quantises. The LM head, the
   * embeddings and the projector are not among them, as in PEFT's and bitsandbytes' LLaVA set-up.
   */
  public Map<String, Dense> decoderLinears() {
    Map<String, Dense> all = lm.namedBlocks(Dense.class);
    Map<String, Dense> linears = new LinkedHashMap<>();
    all.forEach((path, dense) -> {
      // An adapter's own blocks (lora_A, lora_B) sit under a layer; they are not layers of the LM.
      String parent = path.substring(0, Math.max(0, path.lastIndexOf('.')));
      if (path.startsWith("layers.") && !all.containsKey(parent)) {
        linears.put("lm." + path, dense);
      }
    });
    return linears;
  }

  /**
   * Makes exactly the parameters whose path matches trainable require gradients and freezes the
   * rest. The vision encoder is frozen whatever the predicate says.
   *
   * @return the trainable parameters by path
   */
  public Map<String, Parameter> trainOnly(Predicate<String> trainable) {
    Map<String, Parameter> selected = new LinkedHashMap<>();
    namedParameters().forEach((path, parameter) -> {
      boolean train = trainable.test(path) && !path.startsWith("vision.");
      parameter.freeze(!train);
      if (train) {
        selected.put(path, parameter);
      }
    });
    return selected;
  }

  /** [tokenIds, images, splice] from {@link LlavaBatch#inputs} -> logits [batch, seq, vocab]. */
  public NDArray logits(NDList inputs) {
    NDArray tokenIds = inputs.get(0);
    NDArray images = inputs.get(1);
    NDArray splice = inputs.get(2);
    NDArray tokens = lm.embedTokens(tokenIds).reshape(-1, config.hidden());
    NDArray pool = tokens;
    if (images.getShape().get(0) > 0) {
      NDArray patches = projector.apply(vision.apply(images)).reshape(-1, config.hidden());
      pool = NDArrays.concat(new NDList(tokens, patches), 0);
    }
    NDArray inputEmbeds = Embedding.embedding(splice, pool, SparseFormat.DENSE).singletonOrThrow();
    return lm.logits(inputEmbeds);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(logits(inputs));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape splice = inputShapes[2];
    return new Shape[] {new Shape(splice.get(0), splice.get(1), config.vocabSize())};
  }
}
