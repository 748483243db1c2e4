package ai.cortensor.portal.audit;

/**
 * Who asks for a change, as the audit log records it: an operator ({@code admin}/{@code support}), a customer
 * ({@code customer}) or the product itself ({@code system}), with the request that carried it.
 */
public record Actor(String name, String role, String requestId, String clientAddr) {
    public static Actor system(String name) {
        return new Actor(name, "system", null, null);
    }
}
