package io.llavascale.workers.cli;

import io.llavascale.infra.config.TemporalConnections;
import io.llavascale.workers.client.Runs;
import io.llavascale.workflows.pipeline.LlavaPipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** pause / continue / cancel: signals the pipeline acts on between stages. */
final class SignalCommands {
  private SignalCommands() {}

  abstract static class SignalCommand implements Runnable {
    @Mixin StackOptions stack;

    @Parameters(index = "0", paramLabel = "RUN_ID", description = "The run (workflow) id.")
    String runId;

    abstract void send(LlavaPipeline pipeline);

    abstract String done();

    @Override
    public void run() {
      try {
        send(new Runs(TemporalConnections.client(stack.connect())).handle(runId));
      } catch (io.temporal.client.WorkflowNotFoundException e) {
        throw new CliException("run " + runId + " is not running on Temporal (finished, or the dev"
            + " server restarted); `llava status " + runId + "` shows what S3 holds");
      }
      System.out.println(runId + ": " + done());
    }
  }

  @Command(name = "pause", description = "Hold a run before its next stage (the running stage finishes).")
  static final class Pause extends SignalCommand {
    @Override
    void send(LlavaPipeline pipeline) {
      pipeline.pause();
    }

    @Override
    String done() {
      return "pause requested; the run holds before its next stage (`llava continue` lets it go on)";
    }
  }

  @Command(name = "continue", description = "Let a paused run go on.")
  static final class Continue extends SignalCommand {
    @Override
    void send(LlavaPipeline pipeline) {
      pipeline.resume();
    }

    @Override
    String done() {
      return "continuing";
    }
  }

  @Command(name = "cancel", description = "Stop a run before its next stage; committed outputs stay in S3.")
  static final class Cancel extends SignalCommand {
    @picocli.CommandLine.Option(names = "--reason", defaultValue = "cancelled from the CLI",
        description = "Recorded in the report. Default: ${DEFAULT-VALUE}")
    String reason;

    @Override
    void send(LlavaPipeline pipeline) {
      pipeline.cancel(reason);
    }

    @Override
    String done() {
      return "cancel requested; the run stops before its next stage (`llava resume` can restart it)";
    }
  }
}
