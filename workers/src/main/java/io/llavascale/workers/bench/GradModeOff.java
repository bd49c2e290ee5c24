package io.llavascale.workers.bench;

import ai.djl.pytorch.jni.JniUtils;
import io.llavascale.activities.evaluate.EvaluateActivityImpl;
import io.llavascale.activities.train.AlignStageActivityImpl;
import io.llavascale.activities.train.TuneStageActivityImpl;
import io.llavascale.workflows.stages.AlignStageActivity;
import io.llavascale.workflows.stages.EvalRequest;
import io.llavascale.workflows.stages.EvalResult;
import io.llavascale.workflows.stages.EvaluateActivity;
import io.llavascale.workflows.stages.TrainRequest;
import io.llavascale.workflows.stages.TrainResult;
import io.llavascale.workflows.stages.TuneStageActivity;
import jakarta.inject.Inject;

/**
 * Work-around for a thread problem the bench found: PyTorch's autograd switch is per thread, DJL
 * turns it off only on the thread that starts the engine, and AdamW updates parameters in place,
 * which PyTorch refuses on any other thread ("a leaf Variable that requires grad is being used in
 * an in-place operation"). In the bench the engine starts on the main thread (warm-up, direct
 * run), so every Temporal activity thread would fail. These wrappers switch autograd off on the
 * calling thread, then run the real activity unchanged. Remove them once the training code sets
 * the switch itself on every thread.
 */
final class GradModeOff {
  private GradModeOff() {}

  /** Autograd off for the calling thread (GradientCollector turns it on while it collects). */
  static void onThisThread() {
    JniUtils.setGradMode(false);
  }

  static final class Align implements AlignStageActivity {
    private final AlignStageActivityImpl real;

    @Inject
    Align(AlignStageActivityImpl real) {
      this.real = real;
    }

    @Override
    public TrainResult align(TrainRequest request) {
      onThisThread();
      return real.align(request);
    }
  }

  static final class Tune implements TuneStageActivity {
    private final TuneStageActivityImpl real;

    @Inject
    Tune(TuneStageActivityImpl real) {
      this.real = real;
    }

    @Override
    public TrainResult tune(TrainRequest request) {
      onThisThread();
      return real.tune(request);
    }
  }

  static final class Evaluate implements EvaluateActivity {
    private final EvaluateActivityImpl real;

    @Inject
    Evaluate(EvaluateActivityImpl real) {
      this.real = real;
    }

    @Override
    public EvalResult evaluate(EvalRequest request) {
      onThisThread();
      return real.evaluate(request);
    }
  }
}
