package io.llavascale.activities.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llavascale.model.train.TrainerConfig.Stage;
import io.llavascale.workflows.spec.PresetCatalog;
import io.llavascale.workflows.spec.RunSpec;
import io.llavascale.workflows.spec.RunSpecParser;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The generated command lines against the recipe (recipe-facts.md), preset by preset. */
class ReferenceCommandTest {
  static final Path WORK = Path.of("/scratch/run");

  /** One row per paper preset: what the recipe says its command must carry. */
  record Row(String preset, String method, int rank, String stage2Lr, String zero, int nodes, int stage1PerGpu,
      int stage2PerGpu, String vision, String llm) {}

  static final String CLIP224 = "openai/clip-vit-large-patch14";
  static final String CLIP336 = "openai/clip-vit-large-patch14-336";
  static final String V7 = "lmsys/vicuna-7b-v1.3";
  static final String V13 = "lmsys/vicuna-13b-v1.3";
  static final String V33 = "lmsys/vicuna-33b-v1.3";

  // full FT: LR 2e-5, ZeRO-3, 512 global on 4 x 8 GPUs (16 each); LoRA: LR 1e-4, alpha 2r, ZeRO-3,
  // 64 global on 1 node (8 each; 65B: 2 nodes, 4 each); QLoRA adds 4 bits under ZeRO-2. Stage 1:
  // 256 global.
  static final List<Row> RECIPE = List.of(
      new Row("llava-7b-full-336", "full", 0, "2e-5", "zero3", 4, 8, 16, CLIP336, V7),
      new Row("llava-13b-lora-r64-336", "lora", 64, "1e-4", "zero3", 1, 32, 8, CLIP336, V13),
      new Row("llava-13b-full-336", "full", 0, "2e-5", "zero3", 4, 8, 16, CLIP336, V13),
      new Row("llava-33b-lora-r8-336", "lora", 8, "1e-4", "zero3", 1, 32, 8, CLIP336, V33),
      new Row("llava-33b-qlora-r64-336", "qlora", 64, "1e-4", "zero2", 1, 32, 8, CLIP336, V33),
      new Row("llava-33b-lora-r64-336", "lora", 64, "1e-4", "zero3", 1, 32, 8, CLIP336, V33),
      new Row("llava-33b-full-336", "full", 0, "2e-5", "zero3", 4, 8, 16, CLIP336, V33),
      new Row("llava-65b-lora-r64-336", "lora", 64, "1e-4", "zero3", 2, 16, 4, CLIP336, null),
      new Row("llava-65b-full-336", "full", 0, "2e-5", "zero3", 4, 8, 16, CLIP336, null),
      new Row("llava-7b-full-224", "full", 0, "2e-5", "zero3", 4, 8, 16, CLIP224, V7),
      new Row("llava-13b-full-224", "full", 0, "2e-5", "zero3", 4, 8, 16, CLIP224, V13),
      new Row("llava-33b-full-224", "full", 0, "2e-5", "zero3", 4, 8, 16, CLIP224, V33),
      new Row("llava-65b-full-224", "full", 0, "2e-5", "zero3", 4, 8, 16, CLIP224, null),
      new Row("llava-33b-full-336-mix", "full", 0, "2e-5", "zero3", 4, 8, 16, CLIP336, V33),
      new Row("llava-65b-full-336-mix", "full", 0, "2e-5", "zero3", 4, 8, 16, CLIP336, null),
      new Row("llava-33b-lora-r64-336-mix", "lora", 64, "1e-4", "zero3", 1, 32, 8, CLIP336, V33),
      new Row("llava-70b-full-336", "full", 0, "2e-5", "zero3", 4, 8, 16, CLIP336, null));

  /** Every script passes these, both stages (recipe-facts "Reference command lines"). */
  static final Map<String, String> COMMON = Map.ofEntries(
      Map.entry("--mm_vision_select_layer", "-2"), Map.entry("--mm_use_im_start_end", "False"),
      Map.entry("--mm_use_im_patch_token", "False"), Map.entry("--bf16", "True"), Map.entry("--tf32", "True"),
      Map.entry("--model_max_length", "2048"), Map.entry("--gradient_checkpointing", "True"),
      Map.entry("--lazy_preprocess", "True"), Map.entry("--dataloader_num_workers", "4"),
      Map.entry("--weight_decay", "0"), Map.entry("--warmup_ratio", "0.03"),
      Map.entry("--lr_scheduler_type", "cosine"), Map.entry("--save_strategy", "steps"),
      Map.entry("--num_train_epochs", "1"), Map.entry("--mm_projector_type", "linear"),
      Map.entry("--gradient_accumulation_steps", "1"), Map.entry("--logging_steps", "1"));

  @Test
  void everyPaperPresetIsInTheRecipeTable() {
    List<String> paper = PresetCatalog.NAMES.stream().filter(n -> n.startsWith("llava-")).sorted().toList();
    assertEquals(paper, RECIPE.stream().map(Row::preset).sorted().toList());
  }

  @Test
  void commandLinesMatchTheRecipeForEveryPaperPreset() {
    for (Row row : RECIPE) {
      RunSpec spec = PresetCatalog.spec(row.preset);
      Map<String, String> s1 = flags(spec, Stage.ALIGN);
      Map<String, String> s2 = flags(spec, Stage.TUNE);
      for (Map<String, String> f : List.of(s1, s2)) {
        COMMON.forEach((k, v) -> assertEquals(v, f.get(k), row.preset + " " + k));
        assertEquals(row.vision, f.get("--vision_tower"), row.preset);
        if (row.llm != null) {
          assertEquals(row.llm, f.get("--model_name_or_path"), row.preset);
        }
        assertEquals(String.valueOf(spec.checkpoint().everySteps()), f.get("--save_steps"), row.preset);
        assertEquals(String.valueOf(spec.checkpoint().keep()), f.get("--save_total_limit"), row.preset);
        assertFalse(f.containsKey("--max_steps"), row.preset + ": paper runs go by epochs");
      }
      // stage 1: projector only, plain template, LR 1e-4, ZeRO-3, the reference's square images
      assertEquals("plain", s1.get("--version"), row.preset);
      assertEquals("True", s1.get("--tune_mm_mlp_adapter"), row.preset);
      assertEquals("1e-4", s1.get("--learning_rate"), row.preset);
      assertEquals("./scripts/zero3.json", s1.get("--deepspeed"), row.preset);
      assertEquals(String.valueOf(row.stage1PerGpu), s1.get("--per_device_train_batch_size"), row.preset);
      assertTrue(s1.get("--data_path").endsWith("/blip_laion_cc_sbu_558k.json"), row.preset);
      for (String absent : List.of("--lora_enable", "--bits", "--pretrain_mm_mlp_adapter", "--image_aspect_ratio")) {
        assertFalse(s1.containsKey(absent), row.preset + " stage 1 has " + absent);
      }
      // stage 2: v1 template from stage 1's projector, v1.5 data handling, the method's flags
      assertEquals("v1", s2.get("--version"), row.preset);
      assertEquals(WORK.resolve("init/mm_projector.bin").toString(), s2.get("--pretrain_mm_mlp_adapter"));
      assertEquals("pad", s2.get("--image_aspect_ratio"), row.preset);
      assertEquals("True", s2.get("--group_by_modality_length"), row.preset);
      assertEquals(row.stage2Lr, s2.get("--learning_rate"), row.preset);
      assertEquals("./scripts/" + row.zero + ".json", s2.get("--deepspeed"), row.preset);
      assertEquals(String.valueOf(row.stage2PerGpu), s2.get("--per_device_train_batch_size"), row.preset);
      assertTrue(s2.get("--data_path").endsWith("/llava_instruct_80k.json"), row.preset);
      if (row.method.equals("full")) {
        for (String absent : List.of("--lora_enable", "--lora_r", "--bits", "--mm_projector_lr")) {
          assertFalse(s2.containsKey(absent), row.preset + " full FT has " + absent);
        }
      } else {
        assertEquals("True", s2.get("--lora_enable"), row.preset);
        assertEquals(String.valueOf(row.rank), s2.get("--lora_r"), row.preset);
        assertEquals(String.valueOf(2 * row.rank), s2.get("--lora_alpha"), row.preset + ": alpha = 2 x rank");
        assertEquals("2e-5", s2.get("--mm_projector_lr"), row.preset);
        assertEquals(row.method.equals("qlora") ? "4" : null, s2.get("--bits"), row.preset);
      }
      List<String> launcher = ReferenceCommand.forStage(spec, Stage.TUNE, paths(spec, Stage.TUNE)).launcher();
      assertEquals(row.nodes == 1
          ? List.of("deepspeed", "--num_gpus", "8", ReferenceCommand.SCRIPT)
          : List.of("torchrun", "--nproc_per_node", "8", "--nnodes", String.valueOf(row.nodes), "--node_rank",
              "$NODE_RANK", "--master_addr", "$MASTER_ADDR", "--master_port", "$MASTER_PORT", "--rdzv_id", "$RDZV_ID",
              ReferenceCommand.SCRIPT),
          launcher, row.preset);
    }
  }

  @Test
  void tinyRunsPointTheFlagsAtDataPrepShardsAndStageOneWeights() {
    RunSpec spec = PresetCatalog.spec("tiny-full");
    Map<String, String> s2 = flags(spec, Stage.TUNE);
    assertEquals(WORK.resolve("data").toString(), s2.get("--data_path"));
    assertEquals(WORK.resolve("base").toString(), s2.get("--model_name_or_path"));
    assertEquals(WORK.resolve("init/model.safetensors").toString(), s2.get("--pretrain_mm_mlp_adapter"));
    assertEquals("2200", s2.get("--max_steps"));
    assertEquals("16", s2.get("--per_device_train_batch_size"));
    assertEquals("0.001", s2.get("--learning_rate"));
    assertEquals("42", s2.get("--seed"));
  }

  @Test
  void numbersAreWrittenAsTheScriptsWriteThem() {
    assertEquals("2e-5", ReferenceCommand.number(2e-5));
    assertEquals("1.5e-4", ReferenceCommand.number(1.5e-4));
    assertEquals("0.03", ReferenceCommand.number(0.03));
    assertEquals("0", ReferenceCommand.number(0));
    assertEquals("0.001", ReferenceCommand.number(1e-3));
  }

  @Test
  void shellFormQuotesWhatTheShellWouldSplit() {
    TrainerCommand c = new TrainerCommand(List.of("deepspeed", "x.py"), List.of(), List.of("--data_path", "/a b/c.json"));
    assertEquals("deepspeed x.py \\\n    --data_path '/a b/c.json'", c.toShell());
    assertEquals(Optional.of("/a b/c.json"), c.flag("--data_path"));
    assertEquals(List.of("java", "-jar", "t.jar", "--data_path", "/a b/c.json"),
        c.withLauncher(List.of("java", "-jar", "t.jar")).commandLine());
  }

  @Test
  void eachRankOfAGangGetsTheRendezvousFlagsAlsoBehindALauncherOverride() {
    RunSpec spec = RunSpecParser.parse(Map.of("preset", "tiny-full",
        "compute", Map.of("backend", "external", "nodes", 2), "stage2", Map.of("batchSize", 8)));
    TrainerCommand rank1 = ReferenceCommand.forStage(spec, Stage.TUNE, paths(spec, Stage.TUNE),
        new ReferenceCommand.Rendezvous("1", "10.0.0.5", "29500", "run-stage2-3"));
    List<String> rdzv = List.of("--nnodes", "2", "--node_rank", "1", "--master_addr", "10.0.0.5", "--master_port",
        "29500", "--rdzv_id", "run-stage2-3");
    assertEquals(rdzv, rank1.rendezvous());
    assertEquals(rdzv, rank1.launcher().subList(3, 3 + rdzv.size()));
    List<String> overridden = rank1.withLauncher(List.of("llava", "train-process")).commandLine();
    assertEquals(rdzv, overridden.subList(2, 2 + rdzv.size()));
    assertEquals(Optional.of("4"), rank1.flag("--per_device_train_batch_size"), "batch 8 over 2 nodes of 1 GPU");
  }

  private static StagePaths paths(RunSpec spec, Stage stage) {
    return StagePaths.forStage(spec, stage, WORK, Path.of("/scratch/inputs"));
  }

  private static Map<String, String> flags(RunSpec spec, Stage stage) {
    List<String> f = ReferenceCommand.forStage(spec, stage, paths(spec, stage)).flags();
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < f.size(); i += 2) {
      assertTrue(f.get(i).startsWith("--"), "flag name expected at " + i + ": " + f);
      assertFalse(m.containsKey(f.get(i)), "repeated " + f.get(i));
      m.put(f.get(i), f.get(i + 1));
    }
    return m;
  }
}
