package io.llavascale.model.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LrScheduleTest {
  @Test
  void cosineWarmsUpThenDecaysToZero() {
    LrSchedule schedule = new LrSchedule(1e-3, 0.03, LrSchedule.Decay.COSINE, 100);
    assertEquals(3, schedule.warmupSteps());
    assertEquals(0.0, schedule.at(0), 1e-15);
    assertEquals(1e-3 / 3, schedule.at(1), 1e-15);
    assertEquals(1e-3, schedule.at(3), 1e-15);
    assertEquals(1e-3 * 0.5 * (1 + Math.cos(Math.PI * 48 / 97.0)), schedule.at(51), 1e-15);
    assertEquals(0.0, schedule.at(100), 1e-15);
  }

  @Test
  void linearDecaysStraight() {
    LrSchedule schedule = new LrSchedule(2e-5, 0.1, LrSchedule.Decay.parse("linear"), 20);
    assertEquals(2, schedule.warmupSteps());
    assertEquals(1e-5, schedule.at(1), 1e-18);
    assertEquals(2e-5, schedule.at(2), 1e-18);
    assertEquals(2e-5 * (1 - 9 / 18.0), schedule.at(11), 1e-18);
    assertEquals(0.0, schedule.at(20), 1e-18);
  }

  @Test
  void noWarmupStartsAtPeak() {
    assertEquals(1e-4, new LrSchedule(1e-4, 0, LrSchedule.Decay.COSINE, 10).at(0), 1e-18);
  }
}
