package io.llavascale.model.data;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes PNG / JPEG bytes and resizes them the way the reference code does with
 * {@code --image_aspect_ratio pad}: pad to a square with the CLIP mean colour (the reference's
 * {@code expand2square(img, tuple(int(x * 255) for x in image_processor.image_mean))}), centred,
 * then resize to the target size.
 *
 * <p>Pixels leave as planar RGB bytes, channel-major (CHW: all R, then all G, then all B), which is
 * what the shards store; {@link #toChwFloats} maps them to [0, 1].
 *
 * <p>Truncated JPEGs: ImageIO decodes a partial JPEG silently (grey rows) and only reports a
 * warning, so we listen for reader warnings and also require the EOI marker (FF D9) at the end.
 */
public final class ImagePreprocessor {
  /** CLIP image mean x 255, truncated as the reference does. */
  public static final Color PAD_COLOR = new Color(122, 116, 104);

  /** Decoded image cap in pixels (guards against decompression bombs). */
  public static final long MAX_PIXELS = 32L * 1024 * 1024;

  private ImagePreprocessor() {}

  /** Decode, pad, resize; returns CHW RGB bytes of {@code 3 * size * size}. */
  public static byte[] preprocess(byte[] encoded, int size) throws ImageDecodeException {
    return toChwBytes(resize(padToSquare(decode(encoded)), size));
  }

  public static BufferedImage decode(byte[] bytes) throws ImageDecodeException {
    if (bytes == null || bytes.length < 8) {
      throw new ImageDecodeException("empty or tiny image file");
    }
    boolean jpeg = (bytes[0] & 0xff) == 0xff && (bytes[1] & 0xff) == 0xd8;
    boolean png = (bytes[0] & 0xff) == 0x89 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G';
    if (!jpeg && !png) {
      throw new ImageDecodeException("not a PNG or JPEG file");
    }
    if (jpeg && !endsWithEoi(bytes)) {
      throw new ImageDecodeException("truncated JPEG (no end-of-image marker)");
    }
    AtomicReference<String> warning = new AtomicReference<>();
    BufferedImage img;
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new ImageDecodeException("no decoder for image");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        reader.addIIOReadWarningListener((src, msg) -> warning.compareAndSet(null, msg));
        long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
        if (pixels <= 0 || pixels > MAX_PIXELS) {
          throw new ImageDecodeException("image too large or empty: " + pixels + " pixels");
        }
        img = reader.read(0);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      String fmt = jpeg ? "JPEG" : "PNG";
      throw new ImageDecodeException("undecodable " + fmt + ": " + e.getMessage(), e);
    }
    if (warning.get() != null) {
      throw new ImageDecodeException("corrupt or truncated image: " + warning.get());
    }
    if (img == null) {
      throw new ImageDecodeException("undecodable image");
    }
    return img;
  }

  private static boolean endsWithEoi(byte[] b) {
    int end = b.length;
    // Tolerate padding some writers append after EOI.
    while (end > 2 && (b[end - 1] == 0 || b[end - 1] == '\n' || b[end - 1] == '\r')) {
      end--;
    }
    return end >= 2 && (b[end - 2] & 0xff) == 0xff && (b[end - 1] & 0xff) == 0xd9;
  }

  /** Centres the image on a square of the pad colour (side = the longer edge), as RGB. */
  public static BufferedImage padToSquare(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    int side = Math.max(w, h);
    BufferedImage out = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setColor(PAD_COLOR);
      g.fillRect(0, 0, side, side);
      g.setBackground(Color.WHITE);
      // Transparent pixels land on white, like PIL's convert('RGB') of a flattened image.
      g.setColor(Color.WHITE);
      g.fillRect((side - w) / 2, (side - h) / 2, w, h);
      g.drawImage(img, (side - w) / 2, (side - h) / 2, null);
    } finally {
      g.dispose();
    }
    return out;
  }

  /** Resizes to size x size: halving steps with bilinear filtering, then one bicubic step. */
  public static BufferedImage resize(BufferedImage img, int size) {
    BufferedImage cur = toRgb(img);
    int w = cur.getWidth();
    int h = cur.getHeight();
    while (w / 2 >= size && h / 2 >= size) {
      w /= 2;
      h /= 2;
      cur = scale(cur, w, h, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    }
    if (w != size || h != size) {
      cur = scale(cur, size, size, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
    }
    return cur;
  }

  private static BufferedImage toRgb(BufferedImage img) {
    if (img.getType() == BufferedImage.TYPE_INT_RGB) {
      return img;
    }
    return scale(img, img.getWidth(), img.getHeight(), RenderingHints.VALUE_INTERPOLATION_BILINEAR);
  }

  private static BufferedImage scale(BufferedImage src, int w, int h, Object interpolation) {
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, interpolation);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, w, h);
      g.drawImage(src, 0, 0, w, h, null);
    } finally {
      g.dispose();
    }
    return out;
  }

  /** Planar RGB bytes (CHW) of an image. */
  public static byte[] toChwBytes(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    int plane = w * h;
    byte[] out = new byte[3 * plane];
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      img.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        int p = row[x];
        int i = y * w + x;
        out[i] = (byte) (p >> 16);
        out[plane + i] = (byte) (p >> 8);
        out[2 * plane + i] = (byte) p;
      }
    }
    return out;
  }

  /** CHW bytes to CHW floats in [0, 1]. */
  public static float[] toChwFloats(byte[] chw) {
    float[] out = new float[chw.length];
    for (int i = 0; i < chw.length; i++) {
      out[i] = (chw[i] & 0xff) / 255f;
    }
    return out;
  }

  /** CHW floats in [0, 1] to CHW bytes (rounded, clamped). */
  public static byte[] toChwBytes(float[] chw) {
    byte[] out = new byte[chw.length];
    for (int i = 0; i < chw.length; i++) {
      float v = Math.max(0f, Math.min(1f, chw[i]));
      out[i] = (byte) Math.round(v * 255f);
    }
    return out;
  }

  /** Side of a square CHW image of n values. */
  public static int sideOf(int chwLength) {
    int side = (int) Math.round(Math.sqrt(chwLength / 3.0));
    if (3 * side * side != chwLength) {
      throw new IllegalArgumentException("not a 3 x S x S image: " + chwLength);
    }
    return side;
  }
}
