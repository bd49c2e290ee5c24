package io.llavascale.model.merge;

import java.util.Locale;

/**
 * What a {@link MergeVerifier} found.
 *
 * @param method      which check ({@link LayerProbe#METHOD}, {@link WholeModelProbe#METHOD})
 * @param checked     layers (or models) compared
 * @param probeRows   probe inputs per layer (per model)
 * @param maxAbsDiff  largest |merged output - unmerged output| over every probe output
 * @param worstRatio  largest |difference| / its tolerance; above 1 fails
 * @param worst       where the worst ratio was, with its difference and tolerance
 */
public record Verification(String method, int checked, int probeRows, double maxAbsDiff, double worstRatio,
    String worst) {

  public boolean passed() {
    return worstRatio <= 1.0;
  }

  /** @throws MergeVerificationException when the merged model is off by more than the tolerance */
  public Verification requirePassed() {
    if (!passed()) {
      throw new MergeVerificationException("merged weights do not reproduce base + adapter (" + method + "): " + worst
          + String.format(Locale.ROOT, "; %.1fx the tolerance", worstRatio));
    }
    return this;
  }

  public String summary() {
    return String.format(Locale.ROOT, "%s: %d checked x %d probes, max abs diff %.3g (worst %.2f of tolerance)",
        method, checked, probeRows, maxAbsDiff, worstRatio);
  }
}
