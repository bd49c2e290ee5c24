package io.llavascale.model.data;

/**
 * One held-out question, ready for generation.
 *
 * @param questionId model_vqa question_id (kept as text)
 * @param category   color | shape | position | count | ... (free text)
 * @param image      the image path relative to the image folder ("" when text-only)
 * @param question   question text without the {@code <image>} token
 * @param answer     reference answer ("" when none)
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
    int[] promptIds,
    byte[] pixels,
    int imageSize) {

  public float[] imageFloats() {
    return pixels == null ? null : ImagePreprocessor.toChwFloats(pixels);
  }
}
