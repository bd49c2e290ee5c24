package io.llavascale.workflows.study;

import java.util.List;

/**
 * Answer of the study's {@code progress} query.
 *
 * @param studyId study workflow id
 * @param name    the spec's name
 * @param state   running | completed | failed (failed only for an invalid spec or an unwritable report)
 * @param runs    shared runs first, then every cell, in start order
 */
public record StudyProgress(String studyId, String name, String state, List<StudyRunState> runs) {}
