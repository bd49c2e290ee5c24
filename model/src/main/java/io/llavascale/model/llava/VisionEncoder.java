package io.llavascale.model.llava;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The frozen vision tower, standing in for CLIP ViT-L/14. A pretrained CLIP cannot ship with a
 * laptop demo, and a tiny LM cannot learn to see from a few thousand images through a purely random
 * patch embedding (we measured it: the model learned the answer priors, not the pictures). So each
 * 14x14 patch token carries fixed, cheap features that make what CLIP would give linearly readable:
 * <ul>
 *   <li>the patch's mean colour (3 channels);
 *   <li>an object mask, from per-pixel saturation (max - min channel: the grey-white backgrounds and
 *       the pad colour are unsaturated, painted objects are not), as its fill fraction (1), the mean
 *       colour of the masked pixels (3: the object's colour, whatever its size), and the mask pooled
 *       to a coarse sub-grid inside the patch (7x7 when visionDim allows): the outline, which tells
 *       a circle from a square from a triangle and which side of the patch an object sits on;
 *   <li>a 2-D position signal: one-hot patch row and one-hot patch column, like CLIP's position
 *       embeddings, so "top left" does not depend on where the image sits in the prompt;
 *   <li>the remaining channels: a fixed random patch embedding (stride-14 convolution written as
 *       patchify + linear, weights drawn from the model seed) and a GELU, for texture and edges.
 * </ul>
 * The encoder is never trained (the LLaVA contract: only the projector learns to read it) and is
 * deterministic from the seed, so stage checkpoints leave it out; whole-model saves include it.
 */
public final class VisionEncoder extends LlavaBlock {
  private static final int COLOUR_CHANNELS = 3;
  /** Saturation below this is background; the mask ramps to 1 over the next MASK_RAMP. */
  private static final float MASK_FLOOR = 0.2f;
  private static final float MASK_RAMP = 0.15f;

  private final int imageSize;
  private final int patchSize;
  private final int visionDim;
  private final int grid;
  /** Side of the pooled mask sub-grid inside a patch (divides patchSize). */
  private final int maskCells;
  private final int randomDim;
  private final Dense patchEmbed;

  public VisionEncoder(TinyLlavaConfig config) {
    this.imageSize = config.imageSize();
    this.patchSize = config.patchSize();
    this.visionDim = config.visionDim();
    this.grid = imageSize / patchSize;
    int fixed = 2 * COLOUR_CHANNELS + 1 + 2 * grid;
    int cells = 1;
    // Largest pooled mask that leaves at least a quarter of the channels to the random features.
    for (int k = patchSize; k >= 1; k--) {
      if (patchSize % k == 0 && fixed + k * k <= visionDim - visionDim / 4) {
        cells = k;
        break;
      }
    }
    this.maskCells = cells;
    this.randomDim = visionDim - fixed - cells * cells;
    if (randomDim < 1) {
      throw new IllegalArgumentException("visionDim " + visionDim + " too small for the features");
    }
    int patchPixels = COLOUR_CHANNELS * patchSize * patchSize;
    // Unit-variance pre-activations for centred inputs, so GELU sees both of its regimes.
    this.patchEmbed =
        addChildBlock(
            "patch_embed", new Dense(patchPixels, randomDim, 2.0 / Math.sqrt(patchPixels)));
  }

  /** images [batch, 3, size, size] in [0, 1] -> patch features [batch, patches, visionDim]. */
  public NDArray apply(NDArray images) {
    long batch = images.getShape().get(0);
    long n = (long) grid * grid;
    long pp = (long) patchSize * patchSize;
    NDArray pix =
        images
            .reshape(batch, COLOUR_CHANNELS, grid, patchSize, grid, patchSize)
            .transpose(0, 2, 4, 1, 3, 5)
            .reshape(batch, n, COLOUR_CHANNELS, pp);
    NDArray centred = pix.sub(0.5f);
    NDArray random =
        Activation.gelu(patchEmbed.apply(centred.reshape(batch, n, COLOUR_CHANNELS * pp)));
    NDArray meanColour = centred.mean(new int[] {3}).mul(2f);
    // Object mask from saturation, [batch, n, pp].
    NDArray saturation = pix.max(new int[] {2}).sub(pix.min(new int[] {2}));
    NDArray mask = saturation.sub(MASK_FLOOR).div(MASK_RAMP).clip(0f, 1f);
    NDArray area = mask.sum(new int[] {2}, true); // [batch, n, 1]
    NDArray fill = area.div((float) pp).mul(2f);
    NDArray objectColour =
        centred.mul(mask.expandDims(2)).sum(new int[] {3}).div(area.add(1f)).mul(2f);
    int step = patchSize / maskCells;
    NDArray outline =
        mask.reshape(batch, n, maskCells, step, maskCells, step)
            .mean(new int[] {5})
            .mean(new int[] {3})
            .reshape(batch, n, (long) maskCells * maskCells)
            .mul(2f);
    float[] where = new float[(int) n * 2 * grid];
    for (int p = 0; p < n; p++) {
      where[p * 2 * grid + p / grid] = 1f;
      where[p * 2 * grid + grid + p % grid] = 1f;
    }
    NDArray position =
        images.getManager().create(where, new Shape(1, n, 2L * grid))
            .repeat(0, batch);
    return NDArrays.concat(
        new NDList(random, meanColour, fill, objectColour, outline, position), -1);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(apply(inputs.singletonOrThrow()));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), (long) grid * grid, visionDim)};
  }
}
