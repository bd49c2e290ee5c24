package io.llavascale.activities.dataprep;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;

/**
 * Streams the elements of one top-level JSON array, one element tree at a time, so memory is
 * bounded by the largest record, not the file. Structural errors surface as
 * {@link MalformedDatasetException}; I/O errors stay {@link IOException} (transient).
 */
final class JsonArrayReader implements AutoCloseable {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final JsonParser parser;
  private final InputStream in;
  private long index = -1;
  private boolean done;

  JsonArrayReader(InputStream in) throws IOException, MalformedDatasetException {
    this.in = in;
    JsonFactory f = MAPPER.getFactory();
    this.parser = f.createParser(in);
    JsonToken first = token();
    if (first != JsonToken.START_ARRAY) {
      throw new MalformedDatasetException(
          "top level is " + (first == null ? "empty" : first) + ", expected a JSON array");
    }
  }

  /** The next element, or null at the end of the array. */
  JsonNode next() throws IOException, MalformedDatasetException {
    if (done) {
      return null;
    }
    JsonToken t = token();
    if (t == JsonToken.END_ARRAY) {
      done = true;
      JsonToken trailing = token();
      if (trailing != null) {
        throw new MalformedDatasetException("unexpected content after the top-level array at "
            + where(parser.currentLocation()));
      }
      return null;
    }
    if (t == null) {
      throw new MalformedDatasetException("file ends inside the array after " + (index + 1)
          + " records");
    }
    index++;
    try {
      return MAPPER.readTree(parser);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw malformed(e);
    }
  }

  /** Index of the element last returned. */
  long index() {
    return index;
  }

  private JsonToken token() throws IOException, MalformedDatasetException {
    try {
      return parser.nextToken();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw malformed(e);
    }
  }

  private MalformedDatasetException malformed(com.fasterxml.jackson.core.JsonProcessingException e) {
    return new MalformedDatasetException("invalid JSON at " + where(e.getLocation()) + " (record "
        + (index + 1) + "): " + e.getOriginalMessage());
  }

  private static String where(JsonLocation loc) {
    return loc == null ? "?" : "line " + loc.getLineNr() + ", column " + loc.getColumnNr();
  }

  @Override
  public void close() throws IOException {
    try {
      parser.close();
    } finally {
      in.close();
    }
  }

  /** The dataset file is not a JSON array of records. */
  static final class MalformedDatasetException extends Exception {
    MalformedDatasetException(String message) {
      super(message);
    }
  }
}
