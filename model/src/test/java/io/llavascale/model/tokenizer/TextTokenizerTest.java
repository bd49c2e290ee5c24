package io.llavascale.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextTokenizerTest {
  @TempDir Path dir;

  @Test
  void roundTripThroughDjlWithFixedSpecialIds() throws Exception {
    WordTokenizerBuilder b = new WordTokenizerBuilder();
    b.add("A red circle at the top left, and a blue square!");
    b.add("What is 3 + 4? It's 7.");
    b.add("<image>\nDescribe the image.");
    Path file = dir.resolve("tokenizer.json");
    int size = b.write(file);
    assertEquals(b.vocabulary().size(), size);
    assertEquals("<image>", b.vocabulary().get(SpecialTokens.IMAGE));

    try (TextTokenizer tok = TextTokenizer.load(file)) {
      assertEquals(size, tok.vocabSize());
      int[] ids = tok.encode("USER: <image>\nWhat is 3 + 4? ASSISTANT: 7</s>");
      assertEquals(SpecialTokens.IMAGE, ids[2]);
      assertEquals(SpecialTokens.EOS, ids[ids.length - 1]);
      assertEquals("user : what is 3 + 4 ? assistant : 7", tok.decode(ids));
      assertEquals("a red circle at the top left , and a blue square !",
          tok.decode(tok.encode("A RED circle at the top left, and a blue square!")));
      assertEquals(SpecialTokens.UNK, tok.encode("zebra")[0]);
      assertEquals(0, tok.encode("").length);

      // The Java splitter that counts words agrees with the native pre-tokenizer.
      String text = "It's  (hello)-world: 3.5 \"quoted\" café—done";
      List<String> words = new ArrayList<>();
      WordSplitter.split(text, words::add);
      WordTokenizerBuilder b2 = new WordTokenizerBuilder();
      b2.add(text);
      Path f2 = dir.resolve("t2.json");
      b2.write(f2);
      try (TextTokenizer t2 = TextTokenizer.load(f2)) {
        int[] ids2 = t2.encode(text);
        assertEquals(words.size(), ids2.length);
        for (int id : ids2) {
          assertTrue(id > SpecialTokens.IMAGE, "no unknown words: " + words);
        }
        assertEquals(String.join(" ", words), t2.decode(ids2));
      }
    }
  }

  @Test
  void wordMapStaysBounded() {
    WordTokenizerBuilder b = new WordTokenizerBuilder(100, 1, 1024);
    for (int i = 0; i < 20_000; i++) {
      b.add("common w" + i);
      assertTrue(b.trackedWords() <= 1025);
    }
    List<String> vocab = b.vocabulary();
    assertTrue(vocab.contains("common"));
    assertTrue(vocab.size() <= 100);
    assertArrayEquals(SpecialTokens.ALL.toArray(), vocab.subList(0, 5).toArray());
  }
}
