package io.llavascale.activities.train;

import ai.djl.ndarray.NDManager;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.activities.store.S3Uri;
import io.llavascale.model.checkpoint.ModelFiles;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.lora.AdapterFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Loads a model a stage committed to the store, whatever its form: a whole-model folder (stage 1,
 * full fine-tuning, a merged model), or a LoRA / QLoRA adapter folder, whose base (its {@code
 * base_model_name_or_path}) is fetched too and the adapters applied unmerged.
 */
public final class TrainedModels {
  private TrainedModels() {}

  /** Downloads under {@code work} and loads into {@code manager}, every parameter frozen. */
  public static TinyLlava load(ObjectStore store, String uri, Path work, NDManager manager) throws IOException {
    Path folder = work.resolve("model");
    store.getPrefix(S3Uri.parse(uri).key(), folder);
    if (!AdapterFiles.isAdapterFolder(folder)) {
      return ModelFiles.load(folder, manager);
    }
    Path base = work.resolve("base");
    store.getPrefix(S3Uri.parse(AdapterFiles.readConfig(folder).baseModel()).key(), base);
    return AdapterFiles.loadUnmerged(base, folder, manager);
  }
}
