package io.llavascale.model.llava;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * The language model: token embedding, learned positions, pre-norm decoder layers, final norm, LM
 * head. It takes input embeddings rather than ids so the image features can be spliced in first.
 */
public final class CausalLm extends LlavaBlock {
  private static final float MASKED = -1e9f;

  private final int vocabSize;
  private final EmbeddingTable embedTokens;
  private final EmbeddingTable embedPositions;
  private final Layers layers;
  private final Norm norm;
  private final Dense lmHead;

  public CausalLm(TinyLlavaConfig config, double std) {
    this.vocabSize = config.vocabSize();
    this.embedTokens =
        addChildBlock("embed_tokens", new EmbeddingTable(config.vocabSize(), config.hidden(), std));
    this.embedPositions =
        addChildBlock(
            "embed_positions", new EmbeddingTable(config.maxSeqLen(), config.hidden(), std));
    this.layers = addChildBlock("layers", new Layers(config, std));
    this.norm = addChildBlock("norm", new Norm(config.hidden()));
    this.lmHead = addChildBlock("lm_head", new Dense(config.hidden(), config.vocabSize(), std));
  }

  /** ids [batch, seq] int64 -> [batch, seq, hidden]. */
  public NDArray embedTokens(NDArray ids) {
    return embedTokens.apply(ids);
  }

  /** Input embeddings [batch, seq, hidden] -> logits [batch, seq, vocab]. */
  public NDArray logits(NDArray inputEmbeds) {
    NDManager scope = inputEmbeds.getManager();
    int seq = Math.toIntExact(inputEmbeds.getShape().get(1));
    NDArray x = inputEmbeds.add(embedPositions.apply(positions(scope, seq)));
    x = layers.apply(x, causalMask(scope, seq));
    return lmHead.apply(norm.apply(x));
  }

  private static NDArray positions(NDManager scope, int seq) {
    long[] ids = new long[seq];
    for (int i = 0; i < seq; i++) {
      ids[i] = i;
    }
    return scope.create(ids, new Shape(1, seq));
  }

  /**
   * Each position sees itself and earlier ones. Right padding needs no extra mask: real tokens never
   * look ahead at pads, and pads carry no loss.
   */
  private static NDArray causalMask(NDManager scope, int seq) {
    float[] mask = new float[seq * seq];
    for (int row = 0; row < seq; row++) {
      for (int col = row + 1; col < seq; col++) {
        mask[row * seq + col] = MASKED;
      }
    }
    return scope.create(mask, new Shape(seq, seq));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(logits(inputs.singletonOrThrow()));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    return new Shape[] {new Shape(in.get(0), in.get(1), vocabSize)};
  }

  /** The decoder layers, children "0", "1", ... so paths read lm.layers.0.attn.q_proj.weight. */
  private static final class Layers extends LlavaBlock {
    private final List<DecoderLayer> stack = new ArrayList<>();

    Layers(TinyLlavaConfig config, double std) {
      for (int i = 0; i < config.layers(); i++) {
        stack.add(addChildBlock(Integer.toString(i), new DecoderLayer(config, std)));
      }
    }

    NDArray apply(NDArray x, NDArray mask) {
      for (DecoderLayer layer : stack) {
        x = layer.apply(x, mask);
      }
      return x;
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
      return new NDList(apply(inputs.get(0), inputs.get(1)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      return new Shape[] {inputShapes[0]};
    }
  }
}
