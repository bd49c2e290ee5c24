package io.llavascale.activities.external;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One trainer launch: the launcher (program and script, such as {@code deepspeed --num_gpus 8
 * llava/train/train_mem.py}), the rendezvous flags of a multi-node stage (part of the launcher,
 * empty on one node), and the script's flags, as {@code --name value} pairs in order.
 */
public record TrainerCommand(List<String> launcher, List<String> rendezvous, List<String> flags) {
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_./:=@%+,$-]+");

  public TrainerCommand {
    launcher = List.copyOf(launcher);
    rendezvous = List.copyOf(rendezvous);
    flags = List.copyOf(flags);
  }

  /**
   * The same flags behind another launcher (a worker's override, such as train-process); the
   * rendezvous flags follow the override, which must take them as torchrun does.
   */
  public TrainerCommand withLauncher(List<String> other) {
    if (other.isEmpty()) {
      return this;
    }
    List<String> launcher = new ArrayList<>(other);
    launcher.addAll(rendezvous);
    return new TrainerCommand(launcher, rendezvous, flags);
  }

  /** What the process is started with. */
  public List<String> commandLine() {
    List<String> all = new ArrayList<>(launcher);
    all.addAll(flags);
    return all;
  }

  /** The value after {@code --name}, if the flag is there. */
  public Optional<String> flag(String name) {
    for (int i = 0; i + 1 < flags.size(); i++) {
      if (flags.get(i).equals(name)) {
        return Optional.of(flags.get(i + 1));
      }
    }
    return Optional.empty();
  }

  /** Shell form, one flag per line like the reference scripts. */
  public String toShell() {
    StringBuilder sb = new StringBuilder(String.join(" ", launcher.stream().map(TrainerCommand::quote).toList()));
    for (int i = 0; i < flags.size(); i++) {
      boolean name = flags.get(i).startsWith("--");
      sb.append(name ? " \\\n    " : " ").append(quote(flags.get(i)));
    }
    return sb.toString();
  }

  private static String quote(String word) {
    return SAFE.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
  }
}
