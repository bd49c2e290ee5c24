package io.llavascale.model.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImagePreprocessorTest {
  static byte[] encode(BufferedImage img, String fmt) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, fmt, out);
    return out.toByteArray();
  }

  static BufferedImage solid(int w, int h, Color c) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(c);
    g.fillRect(0, 0, w, h);
    g.dispose();
    return img;
  }

  @Test
  void padResizeOfWideImagePadsTopAndBottomWithMeanColour() throws Exception {
    byte[] png = encode(solid(200, 100, Color.RED), "png");
    byte[] chw = ImagePreprocessor.preprocess(png, 56);
    assertEquals(3 * 56 * 56, chw.length);
    int plane = 56 * 56;
    // Centre is red; top and bottom rows are the pad colour.
    int centre = 28 * 56 + 28;
    assertEquals(255, chw[centre] & 0xff);
    assertEquals(0, chw[plane + centre] & 0xff);
    int top = 2 * 56 + 28;
    int bottom = 53 * 56 + 28;
    for (int p : new int[] {top, bottom}) {
      assertEquals(122, chw[p] & 0xff);
      assertEquals(116, chw[plane + p] & 0xff);
      assertEquals(104, chw[2 * plane + p] & 0xff);
    }
    // Left and right edges are not padded.
    assertEquals(255, chw[28 * 56] & 0xff);
    assertEquals(255, chw[28 * 56 + 55] & 0xff);
    float[] f = ImagePreprocessor.toChwFloats(chw);
    assertEquals(1f, f[centre], 1e-6);
    assertTrue(f[2 * plane + top] > 0.4f && f[2 * plane + top] < 0.41f);
  }

  @Test
  void truncatedJpegIsRejectedButWholeJpegDecodes() throws Exception {
    BufferedImage img = solid(120, 90, Color.BLUE);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.YELLOW);
    g.fillOval(10, 10, 60, 60);
    g.dispose();
    byte[] jpg = encode(img, "jpg");
    assertEquals(120, ImagePreprocessor.decode(jpg).getWidth());
    byte[] cut = Arrays.copyOf(jpg, jpg.length * 2 / 3);
    ImageDecodeException e =
        assertThrows(ImageDecodeException.class, () -> ImagePreprocessor.decode(cut));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    // Even with a forged EOI marker the reader's warning catches the missing data.
    byte[] forged = Arrays.copyOf(cut, cut.length + 2);
    forged[forged.length - 2] = (byte) 0xff;
    forged[forged.length - 1] = (byte) 0xd9;
    assertThrows(ImageDecodeException.class, () -> ImagePreprocessor.decode(forged));
    byte[] png = encode(img, "png");
    assertThrows(ImageDecodeException.class,
        () -> ImagePreprocessor.decode(Arrays.copyOf(png, png.length / 2)));
    assertThrows(ImageDecodeException.class,
        () -> ImagePreprocessor.decode("not an image at all".getBytes()));
  }
}
