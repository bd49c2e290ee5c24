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

  /**
   * For each asking of a multiple-choice question, the option (index in that asking's order) the
   * model finds the likeliest answer; all askings in one forward pass.
   */
  int[] choose(EvalItem item, List<Rotation> rotations) {
    List<int[]> prompts = rotations.stream().map(r -> formatter.evalPrompt(r.prompt(), item.pixels() != null)).toList();
    List<List<int[]>> options = rotations.stream().map(r -> r.options().stream().map(tokenizer::encode).toList()).toList();
    return OptionRanker.rank(model, item.imageFloats(), prompts, options).stream().mapToInt(OptionRanker.Ranking::best).toArray();
  }
}
