package io.llavascale.model.merge;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Checks that a merged model computes what the base plus its adapter computes. {@link LayerProbe}
 * probes every adapted layer; a whole-model probe (forward pass of both models on a batch) plugs in
 * through the same interface.
 */
public interface MergeVerifier {
  /**
   * @param baseFolder   the weights the merge read
   * @param adapter      the adapter it applied
   * @param transform    the base transform it used (what the adapter was trained against)
   * @param mergedFolder the weights it wrote
   */
  record Inputs(Path baseFolder, LoraAdapter adapter, BaseTransform transform, Path mergedFolder) {}

  Verification verify(Inputs inputs) throws IOException;
}
