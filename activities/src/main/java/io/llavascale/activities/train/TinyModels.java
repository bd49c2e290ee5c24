package io.llavascale.activities.train;

import io.llavascale.model.llava.TinyLlavaConfig;
import io.llavascale.model.lora.LoraConfig;
import io.llavascale.model.train.Tuning;
import io.llavascale.workflows.spec.ModelSpec;
import io.llavascale.workflows.spec.RunSpec;
import io.llavascale.workflows.spec.TuningSpec;
import io.temporal.failure.ApplicationFailure;

/** Maps a run spec onto the in-JVM tiny LLaVA, and says clearly what that backend cannot train. */
public final class TinyModels {
  public static final String UNSUPPORTED = "UnsupportedBackend";
  private TinyModels() {}

  /** The model config a run trains: resolution analogue from the spec, dims from model.*. */
  public static TinyLlavaConfig config(RunSpec spec, int vocabSize) {
    ModelSpec model = spec.model();
    TinyLlavaConfig base = TinyLlavaConfig.forResolution(model.resolution(), vocabSize);
    int maxSeqLen = Math.max(spec.stage1().maxLength(), spec.stage2().maxLength());
    return new TinyLlavaConfig(
        base.imageSize(), base.patchSize(), base.visionDim(), model.hidden(), model.layers(), model.heads(),
        4 * model.hidden(), vocabSize, maxSeqLen);
  }

  /**
   * Fails the stage for good (no retry can fix it) when the spec needs what the in-JVM backend
   * lacks (a tuning method it does not know); spec validation already keeps sizes other than tiny
   * on the external backend.
   */
  public static void requireSupported(RunSpec spec) {
    tuning(spec);
  }

  /** Stage 2's method: full fine-tuning, or LoRA / QLoRA adapters with the spec's settings. */
  public static Tuning tuning(RunSpec spec) {
    TuningSpec t = spec.tuning();
    Tuning.Method method = switch (t.method()) {
      case "full" -> Tuning.Method.FULL;
      case "lora" -> Tuning.Method.LORA;
      case "qlora" -> Tuning.Method.QLORA;
      default -> throw ApplicationFailure.newNonRetryableFailure("tuning.method " + t.method()
          + " does not train in the in-JVM backend; allowed there: full, lora, qlora", UNSUPPORTED);
    };
    return method == Tuning.Method.FULL ? Tuning.FULL
        : new Tuning(method, new LoraConfig(t.loraRank(), t.loraAlpha(), t.loraDropout(), t.targetModules()));
  }
}
