import RadiomicsCore
@testable import RadiomicsFeatures
import Testing

@Suite struct DependenceTests {
    @Test func digitalPhantomCompliance() {
        let values = DependenceFeatures.compute(DigitalPhantom.discretised, settings: TextureSettings())
        assertCompliance(values, references: DigitalPhantom.references(prefix: "ngl"), family: "ngl")
    }
}
