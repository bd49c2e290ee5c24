package io.llavascale.activities.train;

import io.llavascale.activities.dataprep.DataPrepper;
import io.llavascale.activities.dataprep.synthetic.SyntheticDataset;
import io.llavascale.activities.lifecycle.StageContext;
import io.llavascale.activities.lifecycle.TrainingHeartbeat;
import io.llavascale.activities.testing.LocalFolderObjectStore;
import io.llavascale.model.train.TrainerConfig;
import io.llavascale.workflows.spec.*;
import io.llavascale.workflows.stages.*;
import java.nio.file.*;
import java.util.*;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Demo quality probe: the demo's data prep, stage 1, stage 2 and eval, in-process, with env
 * overrides (H hidden, L layers, LR1/S1 stage 1, LR/S/B/EP stage 2, N1/N2/NS/NE dataset sizes, MIX
 * ShareGPT ratio, DETAIL the share of detail scenes, PRESET, EVALS eval variants).
 * Slow (minutes), so tagged out of the normal build; run with
 * {@code mvn -pl activities test -Dtest=DemoQualityProbe -Dsurefire.excludedGroups=}.
 */
@Tag("slow")
class DemoQualityProbe {
  @TempDir Path dir;

  private static String env(String k, String d) {
    return System.getenv().getOrDefault(k, d);
  }

  @Test
  void probe() throws Exception {
    var store = new LocalFolderObjectStore(Files.createDirectories(dir.resolve("b")), "llava-runs");
    long t0 = System.nanoTime();
    SyntheticDataset.write(dir.resolve("raw"), SyntheticDataset.Options.of(7,
        Integer.parseInt(env("N1", "2000")), Integer.parseInt(env("N2", "2000")), Integer.parseInt(env("NS", "0")),
        Integer.parseInt(env("NE", "60"))).withDetail(Double.parseDouble(env("DETAIL", "0"))));
    store.uploadFolder(dir.resolve("raw"), "datasets/demo/");
    Map<String, Object> over = new LinkedHashMap<>();
    over.put("preset", env("PRESET", "tiny-full"));
    Map<String, Object> model = new LinkedHashMap<>();
    if (System.getenv("H") != null) model.put("hidden", Integer.parseInt(env("H", "")));
    if (System.getenv("L") != null) model.put("layers", Integer.parseInt(env("L", "")));
    if (!model.isEmpty()) over.put("model", model);
    Map<String, Object> s1 = new LinkedHashMap<>();
    if (System.getenv("LR1") != null) s1.put("learningRate", Double.parseDouble(env("LR1", "")));
    if (System.getenv("S1") != null) s1.put("maxSteps", Integer.parseInt(env("S1", "")));
    if (!s1.isEmpty()) over.put("stage1", s1);
    Map<String, Object> s2 = new LinkedHashMap<>();
    if (System.getenv("LR") != null) s2.put("learningRate", Double.parseDouble(env("LR", "")));
    if (System.getenv("S") != null) s2.put("maxSteps", Integer.parseInt(env("S", "")));
    if (System.getenv("B") != null) s2.put("batchSize", Integer.parseInt(env("B", "")));
    if (System.getenv("EP") != null) s2.put("epochs", Integer.parseInt(env("EP", "")));
    if (!s2.isEmpty()) over.put("stage2", s2);
    RunSpec spec = RunSpecParser.parse(over);
    spec = new RunSpec(spec.preset(), spec.seed(), spec.model(), spec.tuning(),
        new DataSpec(spec.data().stage1(), spec.data().stage2(), spec.data().images(),
            spec.data().eval(), spec.data().mmbench(), spec.data().llavaBench(), spec.data().mmlu(),
            env("MIX", "").isEmpty() ? "" : "s3://llava-runs/datasets/demo/sharegpt.json",
            Double.parseDouble(env("MIX", "0")), 0.05),
        spec.stage1(), spec.stage2(), spec.checkpoint(), spec.eval(), spec.compute(), "");
    System.out.println("SPEC " + spec);
    PreparedData data = new DataPrepper(store).prepare("r", spec, DataPrepper.Progress.NONE).data();
    long t1 = System.nanoTime();
    StageTrainer t = new StageTrainer(store, dir.resolve("s"));
    StageContext ctx = new StageContext() {
      public void progress(StageProgress p, long r) {
        if (p.step() % 250 == 0 || Double.isNaN(p.loss())) {
          System.out.printf("STEP %s %d %.4f %.1fs%n", p.stage(), p.step(), p.loss(),
              (System.nanoTime() - t1) / 1e9);
        }
      }
      public Optional<TrainingHeartbeat> previousAttempt() { return Optional.empty(); }
      public boolean stopRequested() { return false; }
      public String label() { return "probe"; }
    };
    TrainResult a = t.train(new TrainRequest("r", spec, data, ""), TrainerConfig.Stage.ALIGN, ctx);
    long t2 = System.nanoTime();
    TrainResult b = t.train(new TrainRequest("r", spec, data, a.outputUri()), TrainerConfig.Stage.TUNE, ctx);
    long t3 = System.nanoTime();
    System.out.println("RESULT " + a + " " + b);
    // EVALS: comma-separated variants timed on the same model: default (the spec's eval), base
    // (exact match only, beam 1, 8 new tokens: the demo before the benchmarks), beam5.
    EvalResult e = null;
    for (String variant : env("EVALS", "default").split(",")) {
      EvalSpec ev = spec.eval();
      if (variant.equals("base")) {
        ev = new EvalSpec(1, 8, List.of(), EvalSpec.OFFLINE_JUDGE, "");
      } else if (variant.equals("beam5")) {
        ev = new EvalSpec(5, ev.maxNewTokens(), ev.benchmarks(), ev.judge(), ev.judgeModel());
      }
      RunSpec vs = new RunSpec(spec.preset(), spec.seed(), spec.model(), spec.tuning(), spec.data(), spec.stage1(),
          spec.stage2(), spec.checkpoint(), ev, spec.compute(), "");
      store.deletePrefix("runs/r/eval/");
      long v0 = System.nanoTime();
      e = new io.llavascale.activities.evaluate.Evaluator(store, dir.resolve("s"),
          new io.llavascale.activities.evaluate.judge.JudgeFactory(store))
          .evaluate(new EvalRequest("r", vs, data, b.outputUri()), ctx);
      System.out.printf("EVAL %s %.1fs %s%n", variant, (System.nanoTime() - v0) / 1e9, e);
      System.out.println("EVALREPORT " + variant + " " + new String(store.getBytes("runs/r/eval/output/report.json")).replaceAll("\\s+", " "));
    }
    long t4 = System.nanoTime();
    String answers = new String(store.getBytes("runs/r/eval/output/answers.jsonl"));
    answers.lines().limit(Integer.parseInt(env("SHOW", "0"))).forEach(l -> System.out.println("ANS " + l));
    System.out.printf("TIME prep %.1fs stage1 %.1fs stage2 %.1fs eval %.1fs%n",
        (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, (t4 - t3) / 1e9);
  }
}
