package io.llavascale.activities.external;

import io.llavascale.model.checkpoint.ModelFiles;
import io.llavascale.model.train.TrainerConfig;
import io.llavascale.workflows.spec.RunSpec;
import java.nio.file.Path;

/**
 * Where one stage's trainer finds its inputs and writes its output on the node.
 *
 * <p>The reference code reads the raw LLaVA JSON and image folder and takes its LLM from the hub;
 * stage 2 starts from stage 1's {@code mm_projector.bin}. The tiny model (train-process) is the
 * stand-in: it reads the shards data prep made from the same records, builds its base from a
 * {@code config.json} the activity writes, and takes its projector from stage 1's weights.
 *
 * @param dataPath        {@code --data_path}
 * @param imageFolder     {@code --image_folder}
 * @param modelNameOrPath {@code --model_name_or_path}
 * @param pretrainAdapter {@code --pretrain_mm_mlp_adapter} (stage 2 only; "" for stage 1)
 * @param outputDir       {@code --output_dir}: where checkpoint-N folders and the final files go
 */
public record StagePaths(
    String dataPath, String imageFolder, String modelNameOrPath, String pretrainAdapter, String outputDir) {
  /** The reference trainer's stage-1 output that stage 2 starts from. */
  public static final String PROJECTOR = "mm_projector.bin";

  /**
   * @param stageWork this stage's working folder (output, base model, stage-1 weights)
   * @param inputs    the run's local copy of its datasets (shared by both stages and attempts)
   */
  public static StagePaths forStage(RunSpec spec, TrainerConfig.Stage stage, Path stageWork, Path inputs) {
    boolean align = stage == TrainerConfig.Stage.ALIGN;
    String output = stageWork.resolve("output").toString();
    String init = align ? "" : stageWork.resolve("init").toString();
    if (isTiny(spec)) {
      String shards = stageWork.resolve("data").toString();
      String adapter = align ? "" : Path.of(init, ModelFiles.WEIGHTS).toString();
      return new StagePaths(shards, shards, stageWork.resolve("base").toString(), adapter, output);
    }
    String dataset = align ? spec.data().stage1() : spec.data().stage2();
    return new StagePaths(inputs.resolve(fileName(dataset)).toString(), inputs.resolve("images").toString(),
        spec.model().llm(), align ? "" : Path.of(init, PROJECTOR).toString(), output);
  }

  /** The tiny model runs under train-process; every other size under the reference code. */
  public static boolean isTiny(RunSpec spec) {
    return "tiny".equals(spec.model().size());
  }

  static String fileName(String uri) {
    String trimmed = uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    return trimmed.substring(trimmed.lastIndexOf('/') + 1);
  }
}
