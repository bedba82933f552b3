@_exported import RadiomicsCore
@_exported import RadiomicsFeatures
@_exported import RadiomicsIO
@_exported import RadiomicsProcessing
