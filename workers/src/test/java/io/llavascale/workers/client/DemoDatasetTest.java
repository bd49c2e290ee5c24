package io.llavascale.workers.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llavascale.workflows.spec.PresetCatalog;
import org.junit.jupiter.api.Test;

class DemoDatasetTest {
  @Test
  void everyTinyPresetReadsADatasetTheDemoWrites() {
    for (String name : PresetCatalog.NAMES) {
      if (name.startsWith("tiny-")) {
        String dataset = DemoDataset.datasetName(PresetCatalog.spec(name).data());
        // A resolution in the name marks the study presets, which read the detail set.
        assertEquals(name.matches(".*-(224|336).*") ? "detail" : "demo", dataset, name);
      }
    }
    assertEquals(0.0, DemoDataset.OPTIONS.detailFraction(), "the demo's data has no detail scenes");
    assertEquals(DemoDataset.OPTIONS.stage2Records(), DemoDataset.DETAIL.stage2Records());
  }

  @Test
  void aPresetOnOtherDataIsRefusedWithWhatTheDemoCanWrite() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DemoDataset.datasetName(PresetCatalog.spec("llava-7b-full-336").data()));
    assertTrue(e.getMessage().contains("the demo writes only s3://<bucket>/datasets/<name>/ for [demo, detail]"),
        e.getMessage());
  }
}
