package io.llavascale.workers.pool;

import com.google.inject.Inject;
import io.llavascale.workflows.stages.AlignStageActivity;
import io.llavascale.workflows.stages.DataPrepActivity;
import io.llavascale.workflows.stages.EvaluateActivity;
import io.llavascale.workflows.stages.RunLedgerActivity;
import io.llavascale.workflows.stages.TuneStageActivity;

/** The activity implementations a worker registers, split by the pool that runs them. */
public final class StageActivities {
  final Object[] cpu;
  final Object[] gpu;

  @Inject
  StageActivities(
      DataPrepActivity dataPrep,
      RunLedgerActivity ledger,
      AlignStageActivity align,
      TuneStageActivity tune,
      EvaluateActivity evaluate) {
    // MergeLora joins the cpu pool with LoRA training; full fine-tuning never schedules it.
    this.cpu = new Object[] {dataPrep, ledger};
    this.gpu = new Object[] {align, tune, evaluate};
  }
}
