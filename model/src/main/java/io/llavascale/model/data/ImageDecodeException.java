package io.llavascale.model.data;

/** An image that cannot be used; the message is a short reason for the quarantine report. */
public final class ImageDecodeException extends Exception {
  public ImageDecodeException(String reason) {
    super(reason);
  }

  public ImageDecodeException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
