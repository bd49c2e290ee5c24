package io.llavascale.activities.evaluate;

import io.llavascale.model.data.ConversationFormatter;
import io.llavascale.model.data.EvalItem;
import io.llavascale.model.decode.BeamSearchDecoder;
import io.llavascale.model.decode.GreedyDecoder;
import io.llavascale.model.decode.OptionRanker;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.metrics.MultipleChoice.Rotation;
import io.llavascale.model.tokenizer.TextTokenizer;
import java.util.List;

/** Puts held-out questions to the model: open ones by generation, multiple-choice ones by ranking the options. */
final class Answerer {
  private final TinyLlava model;
  private final TextTokenizer tokenizer;
  private final ConversationFormatter formatter;
  private final int beams;
  private final int maxNewTokens;

  /**
   * @param beams 1 for greedy decoding, else the beam width (the best beam is the answer)
   */
  Answerer(TinyLlava model, TextTokenizer tokenizer, int beams, int maxNewTokens) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.formatter = new ConversationFormatter(tokenizer);
    this.beams = beams;
    this.maxNewTokens = maxNewTokens;
  }

  /** The model's answer to an open question. */
  String generate(EvalItem item) {
    int[] tokens = beams == 1
        ? GreedyDecoder.generate(model, item.imageFloats(), item.promptIds(), maxNewTokens)
        : BeamSearchDecoder.search(model, item.imageFloats(), item.promptIds(), beams, maxNewTokens).get(0).tokens();
    return tokenizer.decode(tokens).trim();
  }

  /** The option (index in the rotation's order) the model finds the likeliest answer to the rotation's prompt. */
  int choose(EvalItem item, Rotation rotation) {
    int[] prompt = formatter.evalPrompt(rotation.prompt(), item.pixels() != null);
    List<int[]> options = rotation.options().stream().map(tokenizer::encode).toList();
    return OptionRanker.rank(model, item.imageFloats(), prompt, options).best();
  }
}
