package io.llavascale.activities.dataprep;

/**
 * Why a record was quarantined: a stable reason code (the report's histogram key) and a detail a
 * person can act on. Thrown inside data prep only; never leaves it.
 */
final class Rejection extends Exception {
  final String reason;

  Rejection(String reason, String detail) {
    super(detail, null, false, false);
    this.reason = reason;
  }
}
