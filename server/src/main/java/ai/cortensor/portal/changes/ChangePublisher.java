package ai.cortensor.portal.changes;

/**
 * What a part that changes shared state needs of the {@link ChangeFeed}; {@link #NONE} for one-shot commands that
 * have no replicas to tell.
 */
@FunctionalInterface
public interface ChangePublisher {
    ChangePublisher NONE = (topic, id) -> { };

    /** Tells every replica (this one included) that {@code topic:id} changed; call it after the commit. */
    void publish(String topic, String id);
}
