package io.llavascale.workers.pool;

/**
 * How many training activities a GPU pool's worker runs at once: one per group of
 * {@code gpusPerSlot} GPUs (a stage trains on a whole group), GPUs left over idle. A node with no
 * GPU runs one slot on CPU (the in-JVM trainer). An explicit slot count overrides the division.
 */
public record GpuSlots(GpuInventory inventory, int gpusPerSlot, int slots) {

  public GpuSlots {
    if (gpusPerSlot < 1) {
      throw new IllegalArgumentException("--gpus-per-slot must be at least 1, got " + gpusPerSlot);
    }
    if (slots < 1) {
      throw new IllegalArgumentException("--gpu-slots must be at least 1, got " + slots);
    }
  }

  /** One slot, no GPU: the dev stack and the demo. */
  public static GpuSlots cpuOnly(int slots) {
    return new GpuSlots(new GpuInventory(java.util.List.of(), "none"), 1, slots);
  }

  /** @param explicitSlots {@code --gpu-slots}, or null to divide the GPUs into groups */
  public static GpuSlots plan(GpuInventory inventory, int gpusPerSlot, Integer explicitSlots) {
    int gpus = inventory.count();
    if (explicitSlots != null) {
      if (gpus > 0 && (long) explicitSlots * gpusPerSlot > gpus) {
        throw new IllegalArgumentException("--gpu-slots " + explicitSlots + " x --gpus-per-slot " + gpusPerSlot
            + " needs " + (long) explicitSlots * gpusPerSlot + " GPUs; this node has " + inventory.summary());
      }
      return new GpuSlots(inventory, gpusPerSlot, explicitSlots);
    }
    if (gpus == 0) {
      return new GpuSlots(inventory, gpusPerSlot, 1);
    }
    if (gpus < gpusPerSlot) {
      throw new IllegalArgumentException("a slot needs " + gpusPerSlot + " GPUs (--gpus-per-slot) but this node has "
          + inventory.summary());
    }
    return new GpuSlots(inventory, gpusPerSlot, gpus / gpusPerSlot);
  }

  /** GPUs in no group. */
  public int idleGpus() {
    return inventory.count() == 0 ? 0 : inventory.count() - slots * gpusPerSlot;
  }

  /** What a GPU worker advertises, e.g. {@code 8x NVIDIA H100 80GB HBM3 80GiB, 4 slots of 2}. */
  public String describe() {
    return inventory.summary() + ", " + slots + (slots == 1 ? " slot" : " slots")
        + (inventory.count() > 0 ? " of " + gpusPerSlot : "");
  }
}
