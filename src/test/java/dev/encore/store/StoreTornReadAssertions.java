package dev.encore.store;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import java.util.List;

/** What every store's torn-read test asserts of the views a reader had while Encore published. */
final class StoreTornReadAssertions {
  private StoreTornReadAssertions() {}

  /**
   * Every view is A or B, whole; A until the one commit, B from then on. Where folders are renamed
   * ({@code renames}), the partition may be absent only just after the old folder went to the trash and before the
   * new one moved in.
   */
  static void assertWhole(List<TornReads.View> views, boolean renames) {
    assertThat("pauses", views.size(), greaterThan(3));
    boolean seenB = false;
    int absent = 0;
    for (TornReads.View v : views) {
      String where = "after " + v.operation() + " a reader saw " + v.seen();
      switch (v.seen()) {
        case TornReads.A -> assertThat(where + " after B was already visible", seenB, equalTo(false));
        case TornReads.B -> seenB = true;
        case TornReads.ABSENT -> {
          assertThat(where, renames, equalTo(true));
          assertThat(where, v.operation(), containsString("/_encore/trash/"));
          absent++;
        }
        default -> throw new AssertionError(where);
      }
    }
    assertThat("steps with the partition absent", absent, lessThanOrEqualTo(1));
    assertThat(views.get(views.size() - 1).seen(), equalTo(TornReads.B));
  }
}
