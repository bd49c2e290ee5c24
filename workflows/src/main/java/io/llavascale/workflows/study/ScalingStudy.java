package io.llavascale.workflows.study;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.Map;

/**
 * The paper's grid as one durable run: expands a study spec (YAML as a JSON object, see {@link
 * StudySpecParser}) into child {@code LlavaPipeline} runs that share data prep and stage 1, runs
 * them with a per-pool concurrency limit, and reports every cell, failed ones included. Started on
 * {@code llava-control} like a pipeline: {@code temporal workflow start --type ScalingStudy
 * --task-queue llava-control --input-file study.json}.
 */
@WorkflowInterface
public interface ScalingStudy {
  String WORKFLOW_TYPE = "ScalingStudy";

  @WorkflowMethod(name = WORKFLOW_TYPE)
  StudyReport run(Map<String, Object> study);

  /** Every child run (shared ones first, then the grid's cells) with its status. */
  @QueryMethod(name = "progress")
  StudyProgress progress();
}
