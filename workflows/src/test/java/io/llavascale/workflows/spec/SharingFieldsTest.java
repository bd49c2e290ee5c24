package io.llavascale.workflows.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** dataFrom, stage1From, stage2From and stopAfter: what a study's children are started with. */
class SharingFieldsTest {
  @Test
  void optionalAndEmptyByDefault() {
    RunSpec s = RunSpecParser.parse(Map.of("preset", "tiny-full"));
    assertEquals("", s.dataFrom());
    assertEquals("", s.stage1From());
    assertEquals("", s.stopAfter());
    assertEquals("", s.stage2From());
  }

  @Test
  void badValuesAreNamed() {
    SpecException e = assertThrows(SpecException.class, () -> RunSpecParser.parse(
        Map.of("preset", "tiny-full", "stage1From", "a/b", "stopAfter", "stage2")));
    String all = String.join("\n", e.errors());
    assertTrue(all.contains("stage1From must be a run id (letters, digits and ._:=@+- , no '/'), got 'a/b'"), all);
    assertTrue(all.contains("stage1From needs dataFrom"), all);
    assertTrue(all.contains("stopAfter must be one of dataprep, stage1, or \"\" to run every stage, got 'stage2'"), all);

    SpecException s2 = assertThrows(SpecException.class, () -> RunSpecParser.parse(
        Map.of("preset", "tiny-full", "dataFrom", "d", "stage2From", "t", "stopAfter", "stage1")));
    String both = String.join("\n", s2.errors());
    assertTrue(both.contains("stage2From needs stage1From"), both);
    assertTrue(both.contains("stage2From takes a finished stage 2, so the run cannot stop before it"), both);
  }
}
