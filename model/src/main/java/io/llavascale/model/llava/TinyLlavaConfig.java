package io.llavascale.model.llava;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Shape of a tiny LLaVA model, written next to its weights as {@code config.json}.
 *
 * @param imageSize  side of the square input image in pixels
 * @param patchSize  side of one vision patch; (imageSize / patchSize)^2 image tokens per image
 * @param visionDim  width of the frozen vision features
 * @param hidden     width of the language model
 * @param layers     decoder layers
 * @param heads      attention heads (hidden must divide evenly)
 * @param mlpDim     inner width of each decoder MLP
 * @param vocabSize  tokenizer vocabulary size
 * @param maxSeqLen  longest sequence after the image token is expanded
 */
public record TinyLlavaConfig(
    int imageSize,
    int patchSize,
    int visionDim,
    int hidden,
    int layers,
    int heads,
    int mlpDim,
    int vocabSize,
    int maxSeqLen) {

  public static final String FILE_NAME = "config.json";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public TinyLlavaConfig {
    if (imageSize % patchSize != 0) {
      throw new IllegalArgumentException(
          "imageSize " + imageSize + " is not a multiple of patchSize " + patchSize);
    }
    if (hidden % heads != 0) {
      throw new IllegalArgumentException("hidden " + hidden + " is not divisible by heads " + heads);
    }
    if (visionDim <= 3) {
      throw new IllegalArgumentException("visionDim must exceed the 3 mean-colour channels");
    }
  }

  /**
   * The paper's resolution knob, scaled down: CLIP's 224 and 336 pixel inputs become 42 and 84
   * pixels with 14-pixel patches, so 9 versus 36 image tokens (336 still sees 4x the tokens, and each
   * token at 224 covers one cell of the demo's 3 x 3 scene grid, 2 x 2 tokens per cell at 336;
   * with 56 px, 16 tokens cut across the cells and the tiny LM could not learn position or shape).
   * The widths (about 0.5M parameters) train at 25-40 steps/s, batch 16, on 2 CPU cores.
   */
  public static TinyLlavaConfig forResolution(int resolution, int vocabSize) {
    int imageSize =
        switch (resolution) {
          case 224 -> 42;
          case 336 -> 84;
          default -> throw new IllegalArgumentException(
              "resolution must be 224 or 336, got " + resolution);
        };
    return new TinyLlavaConfig(imageSize, 14, 128, 128, 2, 4, 512, vocabSize, 256);
  }

  /** Image tokens one image expands into. */
  public int imageTokens() {
    int side = imageSize / patchSize;
    return side * side;
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static TinyLlavaConfig fromJson(String json) {
    try {
      return JSON.readValue(json, TinyLlavaConfig.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void write(Path file) throws IOException {
    Files.writeString(file, toJson());
  }

  public static TinyLlavaConfig read(Path file) throws IOException {
    return fromJson(Files.readString(file));
  }
}
