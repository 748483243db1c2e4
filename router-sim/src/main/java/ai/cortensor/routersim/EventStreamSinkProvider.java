package ai.cortensor.routersim;

import java.util.function.BiConsumer;

import io.helidon.common.GenericType;
import io.helidon.common.media.type.MediaType;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http.spi.Sink;
import io.helidon.webserver.http.spi.SinkProvider;
import io.helidon.webserver.http.spi.SinkProviderContext;

/**
 * Internal; public only because {@link java.util.ServiceLoader} requires it. Creates {@link EventStreamSink}s.
 * The sink SPI is Helidon's only public way to put a chunked response's status line and headers on the wire
 * before its first body byte, which the router (uvicorn) does for every stream.
 */
public final class EventStreamSinkProvider implements SinkProvider<byte[]> {

    @Override
    public boolean supports(GenericType<? extends Sink<?>> type, ServerRequest request) {
        return EventStreamSink.TYPE.equals(type);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <X extends Sink<byte[]>> X create(SinkProviderContext context) {
        return (X) EventStreamSink.headersSent(context);
    }

    @Override
    public <X extends Sink<byte[]>> X create(ServerResponse response, BiConsumer<Object, MediaType> eventConsumer,
                                             Runnable closeRunnable) {
        throw new UnsupportedOperationException("needs SinkProviderContext");
    }
}
