package ai.cortensor.portal.pools;

/**
 * The parts of a router's response head the gateway acts on.
 *
 * @param contentLength the declared body length, or -1 (chunked, or until the connection closes)
 * @param close         the router will close the connection after this response
 */
record RouterResponseHead(int status, String contentType, long contentLength, boolean chunked, boolean close) {}
