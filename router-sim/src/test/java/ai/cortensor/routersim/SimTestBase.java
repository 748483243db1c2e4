package ai.cortensor.routersim;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** One simulator on a free port per test class, with default behaviour and zeroed stats before each test. */
abstract class SimTestBase {
    static RouterSim sim;
    static SimClient client;

    @BeforeAll
    static void start() {
        sim = RouterSim.start(SimConfig.defaults());
        client = new SimClient(sim);
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @BeforeEach
    void reset() {
        sim.behave(Behavior.defaults());
        sim.resetStats();
    }
}
