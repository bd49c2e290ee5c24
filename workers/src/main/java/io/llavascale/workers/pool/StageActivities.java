package io.llavascale.workers.pool;

import com.google.inject.Inject;
import io.llavascale.workflows.stages.AlignStageActivity;
import io.llavascale.workflows.stages.DataPrepActivity;
import io.llavascale.workflows.stages.EvaluateActivity;
import io.llavascale.workflows.stages.MergeLoraActivity;
import io.llavascale.workflows.stages.RunLedgerActivity;
import io.llavascale.workflows.stages.TuneStageActivity;
import io.llavascale.workflows.study.StudyLedgerActivity;

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
      MergeLoraActivity merge,
      EvaluateActivity evaluate,
      StudyLedgerActivity studyLedger) {
    // The merge streams tensors through CPU memory and needs no GPU (DESIGN.md: llava-cpu).
    this.cpu = new Object[] {dataPrep, ledger, merge, studyLedger};
    this.gpu = new Object[] {align, tune, evaluate};
  }
}
