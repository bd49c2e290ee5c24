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
 * laptop demo, so this encoder is a fixed random patch embedding: each 14x14 patch (a stride-14
 * convolution, written as patchify + linear) goes through random weights drawn from the model
 * seed and a GELU, and three extra channels carry the patch's mean colour. Random projections of
 * patches keep shape and edge information (as random features do), the mean colour channels make
 * colour linearly readable, and the patch order (row by row) gives position. That is enough for
 * the synthetic task (colour, shape, position, count of shapes on a 3x3 grid) while keeping the
 * LLaVA contract: the encoder is never trained, only the projector learns to read it. Because it
 * is reproduced from the seed, stage checkpoints leave it out; whole-model saves include it.
 */
public final class VisionEncoder extends LlavaBlock {
  private static final int COLOUR_CHANNELS = 3;

  private final int imageSize;
  private final int patchSize;
  private final int visionDim;
  private final Dense patchEmbed;

  public VisionEncoder(TinyLlavaConfig config) {
    this.imageSize = config.imageSize();
    this.patchSize = config.patchSize();
    this.visionDim = config.visionDim();
    int patchPixels = COLOUR_CHANNELS * patchSize * patchSize;
    // Unit-variance pre-activations for centred inputs, so GELU sees both of its regimes.
    this.patchEmbed =
        addChildBlock(
            "patch_embed",
            new Dense(patchPixels, visionDim - COLOUR_CHANNELS, 2.0 / Math.sqrt(patchPixels)));
  }

  /** images [batch, 3, size, size] in [0, 1] -> patch features [batch, patches, visionDim]. */
  public NDArray apply(NDArray images) {
    long batch = images.getShape().get(0);
    int grid = imageSize / patchSize;
    NDArray patches =
        images
            .reshape(batch, COLOUR_CHANNELS, grid, patchSize, grid, patchSize)
            .transpose(0, 2, 4, 1, 3, 5)
            .reshape(batch, (long) grid * grid, (long) COLOUR_CHANNELS * patchSize * patchSize);
    NDArray centred = patches.sub(0.5f);
    NDArray random = Activation.gelu(patchEmbed.apply(centred));
    NDArray meanColour =
        centred.reshape(batch, (long) grid * grid, COLOUR_CHANNELS, (long) patchSize * patchSize)
            .mean(new int[] {3})
            .mul(2f);
    return NDArrays.concat(new NDList(random, meanColour), -1);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(apply(inputs.singletonOrThrow()));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    int grid = imageSize / patchSize;
    return new Shape[] {new Shape(inputShapes[0].get(0), (long) grid * grid, visionDim)};
  }
}
