package dev.encore.sessions;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.encore.avro.internal.Play;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeduplicationTest {
  private static Play delivery(String eventId, int arrivalDay, int file, long position) {
    Play p = SessionCutterTest.play(eventId, 0, 60_000);
    p.setArrivalDay(arrivalDay);
    p.setFileIndex(file);
    p.setPosition(position);
    return p;
  }

  @Test
  void keepsTheEarliestDeliveryWhateverTheOrderGiven() {
    Play late = delivery("e1", 11, 0, 0);
    Play sameDayLaterFile = delivery("e1", 10, 1, 0);
    Play first = delivery("e1", 10, 0, 7);
    Play other = delivery("e2", 12, 0, 1);
    for (List<Play> order :
        List.of(List.of(late, sameDayLaterFile, first, other), List.of(other, first, late, sameDayLaterFile))) {
      Deduplication.Result r = Deduplication.keepFirstDelivery(order);
      assertThat(r.kept(), containsInAnyOrder(first, other));
      assertThat(r.dropped(), containsInAnyOrder(late, sameDayLaterFile));
    }
  }

  @Test
  void samePositionInAnotherFileIsADifferentDelivery() {
    Deduplication.Result r =
        Deduplication.keepFirstDelivery(List.of(delivery("e", 1, 1, 0), delivery("e", 1, 0, 0)));
    assertThat(r.kept(), hasSize(1));
    assertThat(r.kept().get(0).getFileIndex(), equalTo(0));
  }
}
