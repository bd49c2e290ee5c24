package io.llavascale.workflows.spec;

/**
 * Which model the run builds.
 *
 * @param size       tiny | 7b | 13b | 33b | 65b | 70b (only tiny trains in the JVM backend)
 * @param resolution 224 | 336: the paper's CLIP input size; tiny runs use 42 or 84 pixels (9 or 36 image tokens, 14-pixel patches)
 * @param llm        backbone name (for example lmsys/vicuna-33b-v1.3; "tiny-lm" for tiny)
 * @param vision     vision tower name (openai/clip-vit-large-patch14[-336]; "tiny-vision" for tiny)
 * @param hidden     tiny only: LM hidden size
 * @param layers     tiny only: decoder layers
 * @param heads      tiny only: attention heads
 */
public record ModelSpec(
    String size, int resolution, String llm, String vision, int hidden, int layers, int heads) {}
