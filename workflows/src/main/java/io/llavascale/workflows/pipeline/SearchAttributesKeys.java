package io.llavascale.workflows.pipeline;

import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.common.SearchAttributeKey;
import java.util.Map;

/**
 * Custom search attributes the pipeline upserts so runs can be found in the UI and with {@code
 * temporal workflow list --query 'LlavaModelSize="33b" AND LlavaTuning="lora"'}. They must be
 * registered on the namespace before a run starts ({@link #DEFINITIONS}); an unregistered attribute
 * makes the server reject the workflow task.
 */
public final class SearchAttributesKeys {
  /** model.size: tiny | 7b | 13b | 33b | 65b | 70b. */
  public static final SearchAttributeKey<String> MODEL_SIZE =
      SearchAttributeKey.forKeyword("LlavaModelSize");

  /** tuning.method: full | lora | qlora. */
  public static final SearchAttributeKey<String> TUNING = SearchAttributeKey.forKeyword("LlavaTuning");

  /** model.resolution: 224 | 336. */
  public static final SearchAttributeKey<Long> RESOLUTION = SearchAttributeKey.forLong("LlavaResolution");

  /** Current stage (StageNames), then done | failed | cancelled when the run ends. */
  public static final SearchAttributeKey<String> STAGE = SearchAttributeKey.forKeyword("LlavaStage");

  /** Name -> type, for registering them (operator service, test server, temporal CLI). */
  public static final Map<String, IndexedValueType> DEFINITIONS =
      Map.of(
          MODEL_SIZE.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          TUNING.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          RESOLUTION.getName(), IndexedValueType.INDEXED_VALUE_TYPE_INT,
          STAGE.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);

  /**
   * The request that registers all four on a namespace. Send it with {@code
   * OperatorServiceStubs.newServiceStubs(...).blockingStub().addSearchAttributes(...)} at dev-stack
   * start (the Java test server implements the operator service), or run {@code temporal operator
   * search-attribute create --name LlavaModelSize --type Keyword} (and so on) on a real cluster.
   */
  public static AddSearchAttributesRequest addRequest(String namespace) {
    return AddSearchAttributesRequest.newBuilder()
        .setNamespace(namespace)
        .putAllSearchAttributes(DEFINITIONS)
        .build();
  }

  private SearchAttributesKeys() {}
}
