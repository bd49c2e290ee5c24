package io.llavascale.workers.cli;

import io.llavascale.activities.report.ReportContent;
import io.llavascale.activities.report.ReportFiles;
import io.llavascale.activities.report.ReportRenderer;
import io.llavascale.activities.report.Reports;
import io.llavascale.workers.client.Stores;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** A run's or study's report from the bucket, written to a local folder that opens offline. */
@Command(name = "report", description = "Write the HTML report (plus JSON and CSV) of a finished run or study to a"
    + " local folder: loss curves, evaluation tables, per-category bars; for studies score vs model size and"
    + " GPU-hours and the Table 3a / Table 4 grid.")
final class ReportCommand implements Runnable {
  @Mixin StackOptions stack;

  @Parameters(index = "0", paramLabel = "RUN_OR_STUDY_ID")
  String id;

  @Option(names = "--out", paramLabel = "DIR", description = "Folder to write. Default: reports/<id>")
  Path out;

  @Override
  public void run() {
    ReportContent content = new Reports(Stores.open(stack.connect())).content(id);
    ReportFiles files = ReportRenderer.render(content);
    Path folder = out != null ? out : Path.of("reports", id);
    try {
      files.writeTo(folder);
    } catch (IOException e) {
      throw new CliException("cannot write the report to " + folder + ": " + e.getMessage());
    }
    System.out.println(content.kind() + " " + id + ": " + content.cells().size() + " "
        + (content.cells().size() == 1 ? "run" : "cells") + ", " + files.files().keySet().stream()
            .filter(f -> f.startsWith("plots/")).count() + " plots, written to " + folder);
    System.out.println("  open it: xdg-open " + folder.resolve(ReportFiles.INDEX));
  }
}
