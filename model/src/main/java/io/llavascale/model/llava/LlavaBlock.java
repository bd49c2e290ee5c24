package io.llavascale.model.llava;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.BlockList;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Base of every block in the tiny LLaVA: a DJL {@link AbstractBlock} whose parameters have a fixed
 * shape and a seeded init rule, and whose parameters are addressed by stable dotted paths such as
 * {@code lm.layers.0.attn.q_proj.weight} (checkpoints key tensors by these paths).
 *
 * <p>Blocks read parameter arrays directly rather than through a ParameterStore: everything lives
 * on one device, and there is no copy to keep in sync when a checkpoint overwrites values.
 */
public abstract class LlavaBlock extends AbstractBlock {
  private record Spec(Parameter parameter, Shape shape, InitRule rule) {}

  private final Map<String, Spec> specs = new LinkedHashMap<>();

  protected final Parameter addParameter(String name, Shape shape, InitRule rule) {
    Parameter parameter =
        addParameter(Parameter.builder().setName(name).setType(Parameter.Type.OTHER).build());
    specs.put(name, new Spec(parameter, shape, rule));
    return parameter;
  }

  /**
   * Stops {@code name} being a parameter of this block and frees its array (a weight held in
   * another form from now on, such as QLoRA's NF4 base).
   */
  protected final void removeParameter(String name) {
    Spec spec = specs.remove(name);
    if (spec == null) {
      throw new IllegalArgumentException("no parameter " + name);
    }
    parameters.remove(name);
    spec.parameter.close();
  }

  /** Every parameter below this block, keyed by dotted path, in registration order. */
  public final Map<String, Parameter> namedParameters() {
    Map<String, Parameter> out = new LinkedHashMap<>();
    forEachBlock("", this, (prefix, block) ->
        block.specs.forEach((name, spec) -> out.put(prefix + name, spec.parameter)));
    return out;
  }

  /** Every block of the given type below this one (itself included), keyed by dotted path. */
  public final <T extends LlavaBlock> Map<String, T> namedBlocks(Class<T> type) {
    Map<String, T> out = new LinkedHashMap<>();
    forEachBlock("", this, (prefix, block) -> {
      if (type.isInstance(block)) {
        out.put(prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1), type.cast(block));
      }
    });
    return out;
  }

  /**
   * Creates every parameter array below this block in {@code manager}, drawing values from a
   * generator seeded by (seed, path) so that renaming or adding one parameter leaves the others'
   * values unchanged. New arrays require gradients; callers freeze afterwards.
   */
  public final void initializeFromSeed(long seed, NDManager manager) {
    initializeFromSeed(seed, manager, "");
  }

  /**
   * As {@link #initializeFromSeed(long, NDManager)} for a block added to a built model later (a
   * LoRA adapter), whose parameters' paths in the model start with {@code pathPrefix}.
   */
  public final void initializeFromSeed(long seed, NDManager manager, String pathPrefix) {
    forEachBlock(pathPrefix, this, (prefix, block) -> {
      for (Map.Entry<String, Spec> e : block.specs.entrySet()) {
        String path = prefix + e.getKey();
        Spec spec = e.getValue();
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + path.hashCode());
        float[] values = spec.rule.sample(Math.toIntExact(spec.shape.size()), rng);
        var array = manager.create(values, spec.shape);
        array.setRequiresGradient(true);
        spec.parameter.setArray(array);
      }
    });
  }

  private interface Visitor {
    void visit(String prefix, LlavaBlock block);
  }

  private static void forEachBlock(String prefix, LlavaBlock block, Visitor visitor) {
    visitor.visit(prefix, block);
    BlockList children = block.getChildren();
    for (int i = 0; i < children.size(); i++) {
      Pair<String, Block> child = children.get(i);
      forEachBlock(prefix + childName(i, child.getKey()) + ".", (LlavaBlock) child.getValue(), visitor);
    }
  }

  /** DJL stores children as "%02d" + name (01attn, 02mlp); the path uses the bare name. */
  private static String childName(int index, String key) {
    return key.substring(String.format(Locale.ROOT, "%02d", index + 1).length());
  }
}
