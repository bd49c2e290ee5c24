package io.llavascale.activities.store;

import java.nio.file.Path;

/** A committed checkpoint downloaded and verified into {@code localFolder}. */
public record RestoredCheckpoint(long step, String uri, Path localFolder) {}
