package io.llavascale.workers.cli;

import io.llavascale.model.EngineThreads;
import io.llavascale.workflows.spec.SpecException;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The `llava` command line. */
@Command(
    name = "llava",
    mixinStandardHelpOptions = true,
    version = "llava-scale 0.1.0",
    description = "Train LLaVA-style models with the scaling paper's recipe as durable Temporal workflows.",
    subcommands = {
      DemoCommand.class,
      DevCommand.class,
      WorkerCommand.class,
      StartCommand.class,
      StatusCommand.class,
      ReportCommand.class,
      ResumeCommand.class,
      StudyCommand.class,
      SignalCommands.Pause.class,
      SignalCommands.Continue.class,
      SignalCommands.Cancel.class,
      ScheduleCommand.class,
      PresetsCommand.class,
      BenchCommand.class,
      CodecServerCommand.class,
      ExplainCommand.class,
      TrainProcessCommand.class,
      CommandLine.HelpCommand.class
    })
public final class LlavaCli implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public static void main(String[] args) {
    EngineThreads.configure(); // before anything starts the PyTorch engine
    System.exit(execute(args));
  }

  /** Runs a command line; user errors print one clear line and give exit code 2. */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new LlavaCli());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof CliException || e instanceof IllegalArgumentException) {
        commandLine.getErr().println("llava: " + e.getMessage());
        return 2;
      }
      if (e instanceof SpecException spec) {
        commandLine.getErr().println("llava: invalid run spec:");
        spec.errors().forEach(error -> commandLine.getErr().println("  - " + error));
        return 2;
      }
      throw e;
    });
    return cli.execute(args);
  }
}
