package io.llavascale.workers.trainer;

import io.llavascale.model.train.TrainerConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reference trainer's flags ({@code --name value}) as train-process reads them. Flags that
 * tune GPUs, DeepSpeed or the reference model's internals are accepted and have no effect on the
 * tiny model; an unknown flag is an error, so a generator typo cannot pass unnoticed.
 */
public record HfTrainerArgs(Map<String, String> values) {
  /** Read by train-process. */
  static final Set<String> USED = Set.of("--output_dir", "--model_name_or_path", "--version",
      "--tune_mm_mlp_adapter", "--pretrain_mm_mlp_adapter", "--data_path", "--num_train_epochs", "--max_steps",
      "--per_device_train_batch_size", "--gradient_accumulation_steps", "--learning_rate", "--weight_decay",
      "--warmup_ratio", "--lr_scheduler_type", "--save_steps", "--save_total_limit", "--seed", "--lora_enable");
  /** Meaningful to the reference code on GPUs only. */
  static final Set<String> IGNORED = Set.of("--deepspeed", "--image_folder", "--vision_tower",
      "--mm_projector_type", "--mm_vision_select_layer", "--mm_use_im_start_end", "--mm_use_im_patch_token",
      "--image_aspect_ratio", "--group_by_modality_length", "--bf16", "--tf32", "--per_device_eval_batch_size",
      "--evaluation_strategy", "--save_strategy", "--logging_steps", "--model_max_length",
      "--gradient_checkpointing", "--dataloader_num_workers", "--lazy_preprocess", "--report_to", "--lora_r",
      "--lora_alpha", "--lora_dropout", "--mm_projector_lr", "--bits");

  /** torchrun's rendezvous flags: a gang of train-process ranks (see {@link GangLink}). */
  static final Set<String> RENDEZVOUS = Set.of("--nnodes", "--node_rank", "--master_addr", "--master_port",
      "--rdzv_id", "--nproc_per_node");

  public static HfTrainerArgs parse(List<String> args) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i += 2) {
      String name = args.get(i);
      if (!USED.contains(name) && !IGNORED.contains(name) && !RENDEZVOUS.contains(name)) {
        throw new IllegalArgumentException("train-process: unknown flag '" + name + "' (it takes the reference"
            + " trainer's flags; see `llava explain`)");
      }
      if (i + 1 >= args.size()) {
        throw new IllegalArgumentException("train-process: flag " + name + " has no value");
      }
      values.put(name, args.get(i + 1));
    }
    for (String required : List.of("--output_dir", "--model_name_or_path", "--data_path", "--learning_rate")) {
      if (!values.containsKey(required)) {
        throw new IllegalArgumentException("train-process: " + required + " is required");
      }
    }
    if (Boolean.parseBoolean(values.getOrDefault("--lora_enable", "False"))) {
      throw new IllegalArgumentException("train-process: --lora_enable True is not available in the tiny trainer;"
          + " allowed: full fine-tuning");
    }
    return new HfTrainerArgs(Map.copyOf(values));
  }

  public Path outputDir() {
    return Path.of(values.get("--output_dir"));
  }

  public Path modelPath() {
    return Path.of(values.get("--model_name_or_path"));
  }

  public Path dataPath() {
    return Path.of(values.get("--data_path"));
  }

  /** Stage 2 only: the weights file whose projector stage 2 starts from. */
  public Path pretrainAdapter() {
    String v = values.get("--pretrain_mm_mlp_adapter");
    if (v == null) {
      throw new IllegalArgumentException("train-process: stage 2 (--version v1) needs --pretrain_mm_mlp_adapter");
    }
    return Path.of(v);
  }

  /** {@code --tune_mm_mlp_adapter True} (or {@code --version plain}) is stage 1. */
  public TrainerConfig.Stage stage() {
    boolean align = Boolean.parseBoolean(values.getOrDefault("--tune_mm_mlp_adapter", "False"))
        || "plain".equals(values.get("--version"));
    return align ? TrainerConfig.Stage.ALIGN : TrainerConfig.Stage.TUNE;
  }

  public long seed() {
    return Long.parseLong(values.getOrDefault("--seed", "42"));
  }

  /** {@code --nnodes}: ranks in the gang (1 without one). */
  public int worldSize() {
    return Integer.parseInt(values.getOrDefault("--nnodes", "1"));
  }

  public int nodeRank() {
    return Integer.parseInt(values.getOrDefault("--node_rank", "0"));
  }

  /** Joins the gang the rendezvous flags name; call only when {@link #worldSize()} &gt; 1. */
  public GangLink joinGang(long resumeStep) throws java.io.IOException {
    for (String f : List.of("--master_addr", "--master_port", "--rdzv_id")) {
      if (!values.containsKey(f)) {
        throw new IllegalArgumentException("train-process: --nnodes " + worldSize() + " needs " + f);
      }
    }
    return GangLink.join(values.get("--rdzv_id"), nodeRank(), worldSize(), values.get("--master_addr"),
        Integer.parseInt(values.get("--master_port")), resumeStep);
  }

  /** Hugging Face keeps every checkpoint unless a limit is given. */
  public int saveTotalLimit() {
    return Integer.parseInt(values.getOrDefault("--save_total_limit", "0"));
  }

  /** @param worldSize processes in the job (WORLD_SIZE; 1 here) */
  public TrainerConfig trainerConfig(int worldSize) {
    int batch = Integer.parseInt(values.getOrDefault("--per_device_train_batch_size", "8"))
        * Integer.parseInt(values.getOrDefault("--gradient_accumulation_steps", "1")) * worldSize;
    long maxSteps = Math.max(0, Long.parseLong(values.getOrDefault("--max_steps", "-1")));
    return new TrainerConfig(stage(), Double.parseDouble(values.get("--learning_rate")),
        Double.parseDouble(values.getOrDefault("--warmup_ratio", "0")), values.getOrDefault("--lr_scheduler_type", "linear"),
        Double.parseDouble(values.getOrDefault("--weight_decay", "0")), batch,
        (int) Double.parseDouble(values.getOrDefault("--num_train_epochs", "3")), maxSteps, seed(),
        Long.parseLong(values.getOrDefault("--save_steps", "500")));
  }
}
