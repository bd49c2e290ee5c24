package io.llavascale.model.data;

import java.util.List;

/**
 * One held-out question, ready for generation.
 *
 * @param questionId model_vqa question_id (kept as text)
 * @param category   color | shape | position | count | ... (free text)
 * @param image      the image path relative to the image folder ("" when text-only)
 * @param question   question text without the {@code <image>} token
 * @param answer     reference answer ("" when none); for multiple choice, the right option's letter
 * @param options    multiple-choice options in the given order (empty for open questions)
 * @param context    a text description of the image for a judge (LLaVA-Bench's captions; "" when none)
 * @param promptIds  v1 prompt up to {@code ASSISTANT:}, with one {@code <image>} token when pixels
 * @param pixels     planar RGB CHW bytes, 3 x imageSize x imageSize, or null
 * @param imageSize  image side, 0 when text-only
 */
public record EvalItem(
    String questionId,
    String category,
    String image,
    String question,
    String answer,
    List<String> options,
    String context,
    int[] promptIds,
    byte[] pixels,
    int imageSize) {

  public EvalItem {
    options = List.copyOf(options);
  }

  public float[] imageFloats() {
    return pixels == null ? null : ImagePreprocessor.toChwFloats(pixels);
  }
}
