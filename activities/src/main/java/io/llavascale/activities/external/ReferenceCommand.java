package io.llavascale.activities.external;

import io.llavascale.model.train.TrainerConfig;
import io.llavascale.workflows.spec.ComputeSpec;
import io.llavascale.workflows.spec.RunSpec;
import io.llavascale.workflows.spec.StageSpec;
import io.llavascale.workflows.spec.TuningSpec;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference trainer's command line for one stage, generated from the spec with the flags of
 * the LLaVA repository's scripts and the scaling paper's recipe (recipe-facts.md). Pure: the same
 * spec and paths always give the same command; README "External trainer backend" has the table.
 */
public final class ReferenceCommand {
  public static final String SCRIPT = "llava/train/train_mem.py";
  /** v1.5 scripts: the projector keeps a lower rate than the adapters when LoRA trains the LLM. */
  static final String ADAPTER_PROJECTOR_LR = "2e-5";
  static final String ZERO2 = "./scripts/zero2.json";
  static final String ZERO3 = "./scripts/zero3.json";

  /**
   * Where node {@code nodeRank} of a multi-node stage finds its peers: torchrun's static
   * rendezvous on rank 0's address, under an id that is new for every gang attempt. Single-node
   * stages need none; {@link #PLACEHOLDERS} shows the shape in {@code llava explain}.
   */
  public record Rendezvous(String nodeRank, String masterAddr, String masterPort, String rdzvId) {
    public static final Rendezvous PLACEHOLDERS =
        new Rendezvous("$NODE_RANK", "$MASTER_ADDR", "$MASTER_PORT", "$RDZV_ID");
  }

  private ReferenceCommand() {}

  /** A single-node stage, or the shape of a multi-node one. */
  public static TrainerCommand forStage(RunSpec spec, TrainerConfig.Stage stage, StagePaths paths) {
    return forStage(spec, stage, paths, Rendezvous.PLACEHOLDERS);
  }

  public static TrainerCommand forStage(
      RunSpec spec, TrainerConfig.Stage stage, StagePaths paths, Rendezvous rendezvous) {
    ComputeSpec compute = spec.compute();
    String gpus = Integer.toString(compute.gpusPerNode());
    if (compute.nodes() == 1) {
      return new TrainerCommand(List.of("deepspeed", "--num_gpus", gpus, SCRIPT), List.of(), flags(spec, stage, paths));
    }
    // torchrun per node: one activity per node is one rank of the gang (deepspeed's own multi-node
    // launcher would ssh into the other nodes itself).
    List<String> rdzv = List.of("--nnodes", Integer.toString(compute.nodes()), "--node_rank", rendezvous.nodeRank(),
        "--master_addr", rendezvous.masterAddr(), "--master_port", rendezvous.masterPort(),
        "--rdzv_id", rendezvous.rdzvId());
    List<String> launcher = new ArrayList<>(List.of("torchrun", "--nproc_per_node", gpus));
    launcher.addAll(rdzv);
    launcher.add(SCRIPT);
    return new TrainerCommand(launcher, rdzv, flags(spec, stage, paths));
  }

  static List<String> flags(RunSpec spec, TrainerConfig.Stage stage, StagePaths paths) {
    boolean align = stage == TrainerConfig.Stage.ALIGN;
    StageSpec s = align ? spec.stage1() : spec.stage2();
    TuningSpec t = spec.tuning();
    boolean adapters = !align && !t.isFull();
    boolean qlora = !align && "qlora".equals(t.method());
    Flags f = new Flags();
    if (adapters) {
      f.add("--lora_enable", "True").add("--lora_r", t.loraRank()).add("--lora_alpha", t.loraAlpha())
          .add("--lora_dropout", number(t.loraDropout())).add("--mm_projector_lr", ADAPTER_PROJECTOR_LR);
    }
    if (qlora) {
      f.add("--bits", 4); // NF4 with double quantisation, the reference code's 4-bit defaults
    }
    // ZeRO-3 everywhere in the paper except QLoRA, which runs under ZeRO-2.
    f.add("--deepspeed", qlora ? ZERO2 : ZERO3)
        .add("--model_name_or_path", paths.modelNameOrPath())
        .add("--version", align ? "plain" : "v1")
        .add("--data_path", paths.dataPath())
        .add("--image_folder", paths.imageFolder())
        .add("--vision_tower", spec.model().vision());
    if (align) {
      f.add("--tune_mm_mlp_adapter", "True");
    } else {
      f.add("--pretrain_mm_mlp_adapter", paths.pretrainAdapter());
    }
    f.add("--mm_projector_type", "linear")
        .add("--mm_vision_select_layer", -2)
        .add("--mm_use_im_start_end", "False")
        .add("--mm_use_im_patch_token", "False");
    if (!align) {
      f.add("--image_aspect_ratio", "pad").add("--group_by_modality_length", "True");
    }
    int gpus = spec.compute().gpusPerNode() * spec.compute().nodes();
    f.add("--bf16", "True")
        .add("--output_dir", paths.outputDir())
        .add("--num_train_epochs", s.epochs());
    if (s.maxSteps() > 0) {
      f.add("--max_steps", s.maxSteps());
    }
    f.add("--per_device_train_batch_size", s.batchSize() / gpus)
        .add("--per_device_eval_batch_size", 4)
        .add("--gradient_accumulation_steps", 1)
        .add("--evaluation_strategy", "no")
        .add("--save_strategy", "steps")
        .add("--save_steps", spec.checkpoint().everySteps())
        .add("--save_total_limit", spec.checkpoint().keep())
        .add("--learning_rate", number(s.learningRate()))
        .add("--weight_decay", number(s.weightDecay()))
        .add("--warmup_ratio", number(s.warmupRatio()))
        .add("--lr_scheduler_type", s.schedule())
        .add("--logging_steps", 1) // one log dict per step: the activity's progress source
        .add("--tf32", "True")
        .add("--model_max_length", s.maxLength())
        .add("--gradient_checkpointing", "True")
        .add("--dataloader_num_workers", 4)
        .add("--lazy_preprocess", "True")
        .add("--seed", spec.seed())
        .add("--report_to", "none"); // the scripts' wandb needs a network login; progress goes to Temporal
    return f.list;
  }

  /** Numbers as the scripts write them: 2e-5, 1e-4, 0.03, 0. */
  static String number(double v) {
    BigDecimal d = BigDecimal.valueOf(v).stripTrailingZeros();
    if (v != 0 && Math.abs(v) < 1e-3) {
      String unscaled = d.unscaledValue().toString();
      int exponent = -d.scale() + unscaled.length() - 1;
      String mantissa = unscaled.length() == 1 ? unscaled : unscaled.charAt(0) + "." + unscaled.substring(1);
      return mantissa + "e" + exponent;
    }
    return d.toPlainString();
  }

  private static final class Flags {
    final List<String> list = new ArrayList<>();

    Flags add(String name, Object value) {
      list.add(name);
      list.add(String.valueOf(value));
      return this;
    }
  }
}
