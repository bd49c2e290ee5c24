package io.llavascale.model.train;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Called synchronously once a checkpoint folder is complete on local disk; the activity uploads
 * and commits it here. An exception stops training and propagates to the caller.
 */
@FunctionalInterface
public interface CheckpointListener {
  void onCheckpoint(long step, Path folder) throws IOException;
}
