package io.llavascale.model.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.llavascale.model.Autograd;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (decoupled weight decay, as torch.optim.AdamW) whose moments are keyed by parameter path,
 * so they can be checkpointed and restored exactly. DJL's own Adam keeps its state private.
 *
 * <p>Weight decay applies to matrices only (rank >= 2), not to biases, norms' scales or shifts,
 * the usual exclusion. Call {@link #step} outside a GradientCollector: updates are in place.
 */
public final class AdamW implements AutoCloseable {
  public static final String EXP_AVG = ".exp_avg";
  public static final String EXP_AVG_SQ = ".exp_avg_sq";

  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private final NDManager manager;
  private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
  private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
  private long stepCount;

  public AdamW(double beta1, double beta2, double eps, double weightDecay, NDManager parent) {
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.manager = parent.newSubManager();
  }

  /** torch defaults: betas (0.9, 0.999), eps 1e-8. */
  public static AdamW withDefaults(double weightDecay, NDManager parent) {
    return new AdamW(0.9, 0.999, 1e-8, weightDecay, parent);
  }

  /** Updates every parameter from its gradient at rate {@code lr}, then zeroes the gradients. */
  public void step(Map<String, Parameter> parameters, double lr) {
    stepCount++;
    double correction1 = 1 - Math.pow(beta1, stepCount);
    double correction2 = 1 - Math.pow(beta2, stepCount);
    for (Map.Entry<String, Parameter> entry : parameters.entrySet()) {
      NDArray weight = entry.getValue().getArray();
      NDArray m = expAvg.computeIfAbsent(entry.getKey(), k -> manager.zeros(weight.getShape()));
      NDArray v = expAvgSq.computeIfAbsent(entry.getKey(), k -> manager.zeros(weight.getShape()));
      // Temporaries go to a scope of their own: DJL attaches a result to its first operand's
      // manager, which here would be the long-lived parameter or state manager.
      try (NDManager scope = manager.newSubManager()) {
        NDArray grad = inScope(weight.getGradient(), scope);
        if (weightDecay > 0 && weight.getShape().dimension() >= 2) {
          weight.muli(1 - lr * weightDecay);
        }
        m.muli(beta1).addi(grad.mul(1 - beta1));
        v.muli(beta2).addi(grad.square().muli(1 - beta2));
        NDArray denom = inScope(v.div(correction2), scope).sqrt().addi(eps);
        weight.subi(inScope(m.mul(lr / correction1), scope).divi(denom));
      }
      Autograd.zeroGradient(weight);
    }
  }

  private static NDArray inScope(NDArray array, NDManager scope) {
    array.attach(scope);
    return array;
  }

  /** Updates taken so far; bias correction depends on it. */
  public long stepCount() {
    return stepCount;
  }

  /** Moments keyed {@code <param>.exp_avg} and {@code <param>.exp_avg_sq}, in parameter order. */
  public Map<String, NDArray> state() {
    Map<String, NDArray> state = new LinkedHashMap<>();
    for (String name : expAvg.keySet()) {
      state.put(name + EXP_AVG, expAvg.get(name));
      state.put(name + EXP_AVG_SQ, expAvgSq.get(name));
    }
    return Collections.unmodifiableMap(state);
  }

  /** Restores the step count and one parameter's moments, as {@link #state} wrote them. */
  public void restore(long stepCount, String parameter, Shape shape, float[] avg, float[] avgSq) {
    this.stepCount = stepCount;
    replace(expAvg, parameter, manager.create(avg, shape));
    replace(expAvgSq, parameter, manager.create(avgSq, shape));
  }

  /** Restores a step count with no moments (a checkpoint taken before the first update). */
  public void restoreStepCount(long stepCount) {
    this.stepCount = stepCount;
  }

  private static void replace(Map<String, NDArray> moments, String parameter, NDArray value) {
    NDArray old = moments.put(parameter, value);
    if (old != null) {
      old.close();
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
