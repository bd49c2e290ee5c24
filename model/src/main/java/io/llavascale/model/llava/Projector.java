package io.llavascale.model.llava;

/**
 * LLaVA v1's projector: one linear map from vision features to the LM's embedding width. Stage 1
 * trains only this block.
 */
public final class Projector extends Dense {
  public Projector(int visionDim, int hidden, double std) {
    super(visionDim, hidden, std);
  }
}
