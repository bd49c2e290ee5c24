package io.llavascale.activities.dataprep;

import com.fasterxml.jackson.databind.JsonNode;
import io.llavascale.model.data.Turn;
import io.llavascale.model.tokenizer.SpecialTokens;
import java.util.ArrayList;
import java.util.List;

/** Schema and placement checks of one LLaVA record; images are checked by the caller. */
final class RecordValidator {
  /** Which kind of dataset a record comes from; decides what is allowed. */
  enum Kind {
    /** stage 1 captions: image required, exactly two turns */
    CAPTION,
    /** stage 2 instructions: image or text-only */
    INSTRUCT,
    /** ShareGPT: text-only */
    TEXT_ONLY
  }

  /** A record that passed the schema checks. image is null for text-only records. */
  record Valid(String id, String image, List<Turn> turns) {}

  private RecordValidator() {}

  static Valid validate(JsonNode r, Kind kind) throws Rejection {
    if (r == null || !r.isObject()) {
      throw new Rejection("not_an_object", "record is not a JSON object");
    }
    JsonNode idNode = r.get("id");
    if (idNode == null || !(idNode.isTextual() || idNode.isNumber())
        || idNode.asText().isEmpty()) {
      throw new Rejection("missing_id", "record has no \"id\" (string or number)");
    }
    String id = idNode.asText();
    JsonNode conv = r.get("conversations");
    if (conv == null || conv.isNull()) {
      throw new Rejection("missing_conversations", "record has no \"conversations\" list");
    }
    if (!conv.isArray() || conv.isEmpty()) {
      throw new Rejection("missing_conversations", "\"conversations\" is not a non-empty list");
    }
    List<Turn> turns = new ArrayList<>(conv.size());
    int imageTokens = 0;
    int imageTokensInGpt = 0;
    for (int i = 0; i < conv.size(); i++) {
      JsonNode t = conv.get(i);
      JsonNode from = t.get("from");
      JsonNode value = t.get("value");
      if (!t.isObject() || from == null || !from.isTextual() || value == null
          || !value.isTextual()) {
        throw new Rejection("bad_turn", "turn " + i + " needs string \"from\" and \"value\"");
      }
      String f = from.asText();
      if (!Turn.HUMAN.equals(f) && !Turn.GPT.equals(f)) {
        throw new Rejection("bad_turn", "turn " + i + " has from=\"" + f
            + "\" (expected human or gpt)");
      }
      int n = count(value.asText(), SpecialTokens.IMAGE_TOKEN);
      imageTokens += n;
      if (!Turn.HUMAN.equals(f)) {
        imageTokensInGpt += n;
      }
      turns.add(new Turn(f, value.asText()));
    }
    checkOrder(turns);

    JsonNode imageNode = r.get("image");
    String image = null;
    if (imageNode != null && !imageNode.isNull()) {
      if (!imageNode.isTextual() || imageNode.asText().isBlank()) {
        throw new Rejection("bad_image_path", "\"image\" is not a non-empty string");
      }
      image = imageNode.asText();
    }
    if (kind == Kind.TEXT_ONLY && image != null) {
      throw new Rejection("unexpected_image", "text-only dataset record has an \"image\"");
    }
    if (kind == Kind.CAPTION) {
      if (image == null) {
        throw new Rejection("missing_image_field", "stage-1 record has no \"image\"");
      }
      if (turns.size() != 2) {
        throw new Rejection("bad_turn_order",
            "stage-1 record needs exactly two turns (human, gpt), found " + turns.size());
      }
    }
    if (image != null) {
      if (imageTokens != 1) {
        throw new Rejection("image_token_count",
            "image record needs exactly one <image> token, found " + imageTokens);
      }
      if (imageTokensInGpt > 0) {
        throw new Rejection("image_token_count", "<image> token is in a gpt turn");
      }
      checkPath(image);
    } else if (imageTokens != 0) {
      throw new Rejection("image_token_count",
          "text-only record contains " + imageTokens + " <image> token(s)");
    }
    return new Valid(id, image, turns);
  }

  /** Same rules as the formatter: optional leading gpt turn, then strict alternation. */
  private static void checkOrder(List<Turn> turns) throws Rejection {
    int start = turns.get(0).isHuman() ? 0 : 1;
    int pairs = 0;
    for (int i = start; i < turns.size(); i++) {
      boolean wantHuman = ((i - start) % 2) == 0;
      if (turns.get(i).isHuman() != wantHuman) {
        throw new Rejection("bad_turn_order", "turns do not alternate human/gpt at turn " + i);
      }
      if (!wantHuman) {
        pairs++;
      }
    }
    if (pairs == 0) {
      throw new Rejection("bad_turn_order", "no human turn followed by a gpt answer");
    }
  }

  /** Image paths are relative and stay inside the image folder. */
  static void checkPath(String path) throws Rejection {
    if (path.startsWith("/") || path.startsWith("\\") || path.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*")) {
      throw new Rejection("absolute_image_path",
          "image path \"" + path + "\" is absolute; it must be relative to the image folder");
    }
    for (String seg : path.split("[/\\\\]")) {
      if (seg.equals("..")) {
        throw new Rejection("path_escape",
            "image path \"" + path + "\" contains '..' and could escape the image folder");
      }
    }
    if (path.indexOf('\0') >= 0) {
      throw new Rejection("bad_image_path", "image path contains a NUL character");
    }
  }

  private static int count(String s, String sub) {
    int n = 0;
    for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) {
      n++;
    }
    return n;
  }
}
