import Radiomics
print("radiomics")
