package io.llavascale.model.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.llavascale.model.Autograd;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Gradient housekeeping between backward and the optimizer. Clips gradients to a maximum global L2 norm, as torch.nn.utils.clip_grad_norm_ and the reference
 * trainer (Hugging Face's max_grad_norm, default 1.0) do. Without it, a rare large gradient late in
 * training can throw the tiny model's weights to NaN.
 */
public final class GradientClipping {
  private GradientClipping() {}

  /** Zeroes every gradient in place (an update that is skipped must not leak into the next). */
  public static void zero(Map<String, Parameter> parameters) {
    parameters.values().forEach(parameter -> Autograd.zeroGradient(parameter.getArray()));
  }

  /** Scales every gradient in place when their joint norm exceeds maxNorm; returns that norm. */
  public static double clipGlobalNorm(Map<String, Parameter> parameters, double maxNorm, NDManager scope) {
    List<NDArray> gradients = new ArrayList<>(parameters.size());
    double sumOfSquares = 0;
    for (Parameter parameter : parameters.values()) {
      NDArray gradient = parameter.getArray().getGradient();
      gradient.attach(scope); // the handle only; the parameter keeps its gradient storage
      gradients.add(gradient);
      sumOfSquares += gradient.square().sum().getFloat();
    }
    double norm = Math.sqrt(sumOfSquares);
    if (norm > maxNorm) {
      float scale = (float) (maxNorm / (norm + 1e-6));
      gradients.forEach(gradient -> gradient.muli(scale));
    }
    return norm;
  }
}
